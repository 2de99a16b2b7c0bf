using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Tips.Bench.Stack;

/// <summary>
/// The environment each service is started with: what <c>./tips up</c> and the services' options require (names as
/// in docs/operations.md), the bench's own changes (rate limits raised, a metrics port), then the caller's
/// <c>--api-setting</c>/<c>--serving-setting</c> values, which win.
/// </summary>
internal sealed class ServiceSettings
{
    /// <summary>The most either per-person limit accepts (RateLimits__*PerMinute is validated to 1..100000).</summary>
    public const string UnlimitedPerMinute = "100000";

    private static readonly string[] Secrets = ["Auth__SigningKey", "SERVING_API_KEY", "LITELLM_MASTER_KEY"];

    private ServiceSettings(IReadOnlyDictionary<string, string> environment, IReadOnlyDictionary<string, string> overrides, string buildOutput)
    {
        Environment = environment;
        Overrides = overrides;
        Configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(buildOutput, "appsettings.json"), optional: true)
            .AddInMemoryCollection(environment.Select(e => new KeyValuePair<string, string?>(e.Key.Replace("__", ":", StringComparison.Ordinal), e.Value)))
            .Build();
    }

    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>What the caller added with --api-setting / --serving-setting.</summary>
    public IReadOnlyDictionary<string, string> Overrides { get; }

    /// <summary>The service's appsettings.json under its environment, to read a setting as the service would.</summary>
    public IConfiguration Configuration { get; }

    public static ServiceSettings ForApi(string apiDll, string connectionString, string signingKey, string servingKey,
        Uri servingUrl, string todoistUrl, int metricsPort, IReadOnlyDictionary<string, string> overrides) => new(
        Merge(new Dictionary<string, string>
        {
            ["ConnectionStrings__Tips"] = connectionString,
            ["Auth__SigningKey"] = signingKey,
            ["SERVING_URL"] = servingUrl.ToString().TrimEnd('/'),
            ["SERVING_API_KEY"] = servingKey,
            ["TODOIST_API_URL"] = todoistUrl,
            // The bench measures the system, not the per-person limiter: each simulated person asks far more often
            // than a real one would.
            ["RateLimits__TipsPerMinute"] = UnlimitedPerMinute,
            ["RateLimits__FeedbackPerMinute"] = UnlimitedPerMinute,
            ["Metrics__Port"] = metricsPort.ToString(CultureInfo.InvariantCulture),
        }, overrides),
        overrides,
        Path.GetDirectoryName(apiDll)!);

    public static ServiceSettings ForServing(string servingDll, Uri gatewayUrl, string? masterKey, string servingKey, int metricsPort,
        IReadOnlyDictionary<string, string> overrides) => new(
        Merge(new Dictionary<string, string>
        {
            ["LITELLM_URL"] = gatewayUrl.ToString().TrimEnd('/'),
            ["LITELLM_MASTER_KEY"] = masterKey ?? "",
            ["SERVING_API_KEY"] = servingKey,
            ["Metrics__Port"] = metricsPort.ToString(CultureInfo.InvariantCulture),
        }, overrides),
        overrides,
        Path.GetDirectoryName(servingDll)!);

    public TimeSpan TimeSpanSetting(string key, TimeSpan fallback) =>
        Configuration[key] is { Length: > 0 } text && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    public string StringSetting(string key, string fallback) => Configuration[key] is { Length: > 0 } text ? text : fallback;

    public int? IntSetting(string key) =>
        int.TryParse(Configuration[key], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>The environment as the report shows it: keys and passwords masked.</summary>
    public IReadOnlyDictionary<string, string> Printable() => Environment.ToDictionary(
        e => e.Key,
        e => Secrets.Contains(e.Key) ? "***" : e.Key.StartsWith("ConnectionStrings__", StringComparison.Ordinal) ? MaskPassword(e.Value) : e.Value,
        StringComparer.Ordinal);

    private static Dictionary<string, string> Merge(Dictionary<string, string> own, IReadOnlyDictionary<string, string> overrides)
    {
        foreach (var (key, value) in overrides)
        {
            own[key] = value;
        }
        return own;
    }

    private static string MaskPassword(string connectionString) => string.Join(';', connectionString.Split(';')
        .Select(part => part.StartsWith("Password=", StringComparison.OrdinalIgnoreCase) ? "Password=***" : part));
}
