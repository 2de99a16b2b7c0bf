namespace Tips.Contracts;

/// <summary>The body of <c>GET /admin/reward-analytics</c>: rewards grouped as in the analysts' view
/// <c>analytics.reward_by_variant</c> (docs/analytics.md).</summary>
/// <param name="AsOf">The moment the figures describe: tips served and feedback posted up to then.</param>
/// <param name="Since">Only tips served at or after this moment, when given.</param>
/// <param name="Until">Only tips served before this moment, when given.</param>
/// <param name="FeedbackWindowHours">How long after serving a first feedback still counted; a tip without one by
/// then has reward 0.</param>
public sealed record RewardAnalyticsResponse(
    DateTimeOffset AsOf,
    DateTimeOffset? Since,
    DateTimeOffset? Until,
    double FeedbackWindowHours,
    IReadOnlyList<RewardGroup> Groups);

/// <summary>Served tips of one llm_model × prompt_version × tip_kind × tip_source and what they earned.</summary>
/// <param name="LlmModel">The model that wrote the tips, <see cref="BanditOnly"/> for tips no LLM wrote (task-direct
/// and fallback), or <see cref="UnknownModel"/> for LLM tips whose model the gateway did not name.</param>
/// <param name="Decided">Tips whose reward is known: their first feedback came within the window, or the window
/// has passed (reward 0). Means and rates are over these.</param>
/// <param name="Pending">Tips still inside their feedback window without feedback: not counted in means or rates.</param>
/// <param name="Done">Decided tips whose first feedback (within the window) was <c>done</c>; likewise the others.</param>
/// <param name="MeanReward">Mean reward of decided tips; null when none is decided.</param>
/// <param name="RewardStderr">Standard error of <paramref name="MeanReward"/>.</param>
public sealed record RewardGroup(
    string LlmModel,
    string? PromptVersion,
    TipKind TipKind,
    TipSource TipSource,
    long Served,
    long Pending,
    long Decided,
    long WithFeedback,
    long TimedOut,
    long Done,
    long Dismiss,
    long Snooze,
    long Helpful,
    long NotHelpful,
    double RewardSum,
    double? MeanReward,
    double? RewardStderr,
    double? MeanRewardWithFeedback,
    double? FeedbackRate,
    double? DoneRate,
    double? DismissRate,
    double? SnoozeRate,
    double? HelpfulRate,
    double? NotHelpfulRate,
    DateTimeOffset FirstServedAt,
    DateTimeOffset LastServedAt)
{
    /// <summary>The <see cref="LlmModel"/> of tips no LLM wrote.</summary>
    public const string BanditOnly = "(bandit-only)";

    /// <summary>The <see cref="LlmModel"/> of LLM tips logged without a model name.</summary>
    public const string UnknownModel = "(unknown model)";
}
