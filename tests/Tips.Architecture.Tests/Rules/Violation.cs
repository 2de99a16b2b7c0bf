namespace Tips.Architecture.Tests.Rules;

/// <summary>One breach of an architecture rule: where it is, and what to do instead.</summary>
/// <param name="Rule">The rule's short name.</param>
/// <param name="Where">A repository-relative path, with <c>:line</c> when a line is at fault.</param>
public sealed record Violation(string Rule, string Where, string Message)
{
    public override string ToString() => $"[{Rule}] {Where}: {Message}";
}
