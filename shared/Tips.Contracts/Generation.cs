namespace Tips.Contracts;

/// <summary>What the recommender knows of a person at one moment; the LLM prompt is built from it.</summary>
/// <param name="LocalTime">The person's wall clock, with its UTC offset.</param>
/// <param name="Timezone">IANA zone name, e.g. <c>Europe/Madrid</c>.</param>
/// <param name="Tasks">Open tasks, overdue first, then priority (urgent first), then due date; bounded.</param>
public sealed record PromptContext(
    DateTimeOffset LocalTime,
    string Timezone,
    UserSignals Signals,
    IReadOnlyList<PromptTask> Tasks);

/// <summary>A person's behaviour over the last 30 days, from their feedback history.</summary>
/// <param name="CompletionRate30d">Share of served tips marked done, 0..1.</param>
/// <param name="DismissRate30d">Share of served tips dismissed, 0..1.</param>
/// <param name="MeanDwellMs">Mean dwell of feedback that carried one; null when none did.</param>
/// <param name="PreferredHour">Local hour (0..23) with the most done feedback; null without history.</param>
public sealed record UserSignals(
    double CompletionRate30d,
    double DismissRate30d,
    double? MeanDwellMs,
    int? PreferredHour,
    int TipsServed30d)
{
    public static UserSignals None { get; } = new(0, 0, null, null, 0);
}

/// <summary>One open task as the recommender and the prompt see it.</summary>
/// <param name="Priority">Todoist API priority 1..4, where 4 is urgent.</param>
/// <param name="Due">The due moment as Todoist gave it (<c>YYYY-MM-DD</c>, floating or UTC date-time), or null.</param>
/// <param name="DueAgeDays">Whole days past due, clipped to 0..30; 0 when not overdue.</param>
public sealed record PromptTask(
    string Id,
    string Content,
    int Priority,
    string? Due,
    bool IsOverdue,
    int DueAgeDays,
    IReadOnlyList<string> Labels);

/// <summary>The body of Tips.Serving <c>POST /generate</c>.</summary>
public sealed record GenerateRequest(PromptContext? Context, int Count = 3);

/// <summary>What Tips.Serving answers: validated candidates and how they were made.</summary>
/// <param name="LlmModel">The concrete model that answered (not the alias), when the gateway said.</param>
/// <param name="Attempts">Model calls made, repair retries included (1..3).</param>
public sealed record GenerateResponse(
    IReadOnlyList<TipCandidate> Candidates,
    string PromptVersion,
    string? LlmModel,
    int Attempts,
    LlmUsage? Usage);

/// <summary>Token usage summed over every attempt of one generation.</summary>
public sealed record LlmUsage(long InputTokens, long OutputTokens, long TotalTokens);
