namespace Tips.Contracts;

/// <summary>A tip the recommender may serve, before scoring.</summary>
/// <param name="Id">Stable id of the candidate within its source (e.g. <c>task:6XGg…</c>, <c>llm:3</c>).</param>
/// <param name="Confidence">The model's own confidence 0..1, when it gave one.</param>
/// <param name="Model">The concrete model that wrote it (LLM candidates only).</param>
/// <param name="PromptVersion">The prompt template version that produced it (LLM candidates only).</param>
public sealed record TipCandidate(
    string Id,
    string Content,
    TipKind Kind,
    TipSource Source,
    string Rationale,
    string? TaskId = null,
    double? Confidence = null,
    string? Model = null,
    string? PromptVersion = null);

/// <summary>A served tip, as <c>GET /tips</c> returns it.</summary>
/// <param name="Id">The id of the <c>tip_scores</c> row that logged this serve; feedback is posted to it.</param>
public sealed record Tip(
    Guid Id,
    string Content,
    TipKind Kind,
    TipSource Source,
    string Rationale,
    string? TaskId,
    string? TaskUrl,
    DateTimeOffset ServedAt);

/// <summary>The body of <c>GET /tips</c>.</summary>
public sealed record TipsResponse(IReadOnlyList<Tip> Tips);

/// <summary>The body of <c>POST /tips/{id}/feedback</c>.</summary>
/// <param name="DwellMs">How long the person looked at the tip before acting, in milliseconds.</param>
public sealed record FeedbackRequest(FeedbackAction? Action, long? DwellMs = null);

/// <summary>The answer to a feedback post: the reward it was worth (design.md "Rewards").</summary>
public sealed record FeedbackResponse(Guid TipId, FeedbackAction Action, double Reward);
