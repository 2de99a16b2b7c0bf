using System.Text.Json.Serialization;

namespace Tips.Doctor.Checks;

internal enum CheckStatus
{
    [JsonStringEnumMemberName("pass")]
    Pass,

    [JsonStringEnumMemberName("fail")]
    Fail,

    /// <summary>Not run because a check it needs failed; counts against the exit code like a failure.</summary>
    [JsonStringEnumMemberName("skip")]
    Skip,
}

/// <summary>
/// One finding of the doctor: what was checked, what it found in plain words and, when it failed, how to fix it.
/// </summary>
/// <param name="Id">Stable, for machines: <c>postgres.migrated</c>, <c>gateway.key</c>….</param>
internal sealed record CheckResult(string Id, string Title, CheckStatus Status, string Summary, string? Fix = null)
{
    /// <summary>How long the check's own request took; reported, never judged.</summary>
    public double? LatencyMs { get; init; }

    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();

    public static CheckResult Pass(string id, string title, string summary) => new(id, title, CheckStatus.Pass, summary);

    public static CheckResult Fail(string id, string title, string summary, string fix) => new(id, title, CheckStatus.Fail, summary, fix);

    public static CheckResult Skip(string id, string title, string reason) => new(id, title, CheckStatus.Skip, reason);

    public CheckResult With(string key, string? value) =>
        value is null ? this : this with { Details = new Dictionary<string, string>(Details) { [key] = value } };
}

/// <summary>Ids and titles of every check, in the order they are reported.</summary>
internal static class CheckIds
{
    public const string PostgresReachable = "postgres.reachable";
    public const string PostgresMigrated = "postgres.migrated";
    public const string GatewayAlive = "gateway.alive";
    public const string GatewayKey = "gateway.key";
    public const string GatewayAliases = "gateway.aliases";
    public const string GatewayCompletion = "gateway.completion";
    public const string GatewayModel = "gateway.model";
    public const string TodoistReachable = "todoist.reachable";
    public const string ServingReady = "serving.ready";
    public const string ApiReady = "api.ready";
}
