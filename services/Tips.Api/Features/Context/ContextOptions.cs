namespace Tips.Api.Features.Context;

/// <summary>Bounds of the assembled context (section <c>Context</c>; environment <c>Context__MaxTasks</c>).</summary>
internal sealed class ContextOptions
{
    public const string Section = "Context";

    public const string MaxTasksMessage = "Context__MaxTasks must be 1..200 (default 20).";

    /// <summary>The most tasks handed to the prompt and the rules, after sorting.</summary>
    public int MaxTasks { get; set; } = 20;

    public const string CacheForMessage = "Context__CacheFor must be within 0..10 min (default 60 s).";

    /// <summary>How long a replica keeps what it read of a person (their tasks, timezone and signals) before reading
    /// it again; never past the snapshot's TTL or a Todoist back-off, so tasks are no staler than the snapshot allows.
    /// 0 reads it on every request. Feedback here drops the signals at once; connecting or removing a token, all of it.</summary>
    public TimeSpan CacheFor { get; set; } = TimeSpan.FromSeconds(60);
}
