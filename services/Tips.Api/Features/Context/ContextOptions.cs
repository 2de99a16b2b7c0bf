namespace Tips.Api.Features.Context;

/// <summary>Bounds of the assembled context (section <c>Context</c>; environment <c>Context__MaxTasks</c>).</summary>
internal sealed class ContextOptions
{
    public const string Section = "Context";

    public const string MaxTasksMessage = "Context__MaxTasks must be 1..200 (default 20).";

    /// <summary>The most tasks handed to the prompt and the rules, after sorting.</summary>
    public int MaxTasks { get; set; } = 20;
}
