using Tips.Contracts;

namespace Tips.Api.Data;

/// <summary>A person who has called the API; the id is their token's <c>sub</c>.</summary>
public sealed class UserAccount
{
    public required string Id { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>IANA timezone from their Todoist account; null until a token was checked.</summary>
    public string? Timezone { get; set; }
}

/// <summary>A person's Todoist connection. The token is only ever stored encrypted (Data Protection).</summary>
public sealed class TodoistIntegration
{
    public required string UserId { get; set; }
    public required string TokenCiphertext { get; set; }
    public TokenStatus TokenStatus { get; set; }

    /// <summary>When Todoist last gave an answer about the token (200, 401 or 403); null if it never did.</summary>
    public DateTimeOffset? CheckedAt { get; set; }
    public DateTimeOffset ConnectedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The last good copy of a person's open Todoist tasks, with what happened on the last fetch.</summary>
public sealed class TaskSnapshot
{
    public required string UserId { get; set; }

    /// <summary>The normalized tasks as a JSON array (jsonb).</summary>
    public required string Tasks { get; set; }

    /// <summary>When the tasks were last fetched successfully; null if never.</summary>
    public DateTimeOffset? FetchedAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }

    /// <summary>Why the last attempt failed (a short reason, never a token); null when it succeeded.</summary>
    public string? LastError { get; set; }

    /// <summary>Todoist asked us to wait (429 Retry-After) until then.</summary>
    public DateTimeOffset? RetryNotBefore { get; set; }
}

/// <summary>LLM candidates kept per person for a while, so that most requests need no LLM call.</summary>
public sealed class LlmCandidateSet
{
    public required string UserId { get; set; }

    /// <summary>The candidates as a JSON array of <see cref="TipCandidate"/> (jsonb).</summary>
    public required string Candidates { get; set; }
    public required string PromptVersion { get; set; }
    public string? LlmModel { get; set; }
    public DateTimeOffset GeneratedAt { get; set; }

    /// <summary>Set while one replica refreshes the set in the background, so others do not too.</summary>
    public DateTimeOffset? RefreshStartedAt { get; set; }
}

/// <summary>
/// The state of one ridge-regression reward model: <c>A = λI + Σ x xᵀ</c> and <c>b = Σ r x</c>.
/// <see cref="ModelKey"/> is <c>global</c> or <c>user:&lt;sub&gt;</c>.
/// </summary>
public sealed class BanditModelState
{
    public required string ModelKey { get; set; }
    public required string Policy { get; set; }
    public int Dimension { get; set; }
    public required double[] AMatrix { get; set; }
    public required double[] BVector { get; set; }
    public long Observations { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Postgres <c>xmin</c>: changes with every update of the row (learning adds to the row in SQL, see
    /// <c>BanditStore.Learn</c>).</summary>
    public uint Version { get; set; }
}

/// <summary>One served tip (design.md "Data"): what was served, why, and with what probability.</summary>
public sealed class TipScore
{
    public Guid Id { get; set; }

    /// <summary>Tips served by the same <c>GET /tips</c> call share it.</summary>
    public Guid RequestId { get; set; }
    public required string UserId { get; set; }
    public DateTimeOffset ServedAt { get; set; }

    /// <summary>0-based slot in the response.</summary>
    public short Position { get; set; }
    public required string Content { get; set; }
    public TipKind TipKind { get; set; }
    public TipSource TipSource { get; set; }
    public string? TaskId { get; set; }
    public required string Rationale { get; set; }
    public string? PromptVersion { get; set; }
    public string? LlmModel { get; set; }
    public required string Policy { get; set; }
    public double Epsilon { get; set; }
    public bool Explored { get; set; }
    public double Propensity { get; set; }
    public double PredictedReward { get; set; }
    public int CandidateCount { get; set; }

    /// <summary>The feature vector the bandit scored, by name (jsonb).</summary>
    public required string Features { get; set; }
}

/// <summary>One feedback post; append-only, at most one per (tip, action).</summary>
public sealed class TipFeedback
{
    public long Id { get; set; }
    public Guid TipId { get; set; }
    public required string UserId { get; set; }
    public FeedbackAction Action { get; set; }
    public long? DwellMs { get; set; }

    /// <summary>Reward × 1000, from the design's table.</summary>
    public int RewardMilli { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
