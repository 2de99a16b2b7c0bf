using Microsoft.Extensions.Options;
using Tips.Api.Capacity;
using Tips.ServiceDefaults;

namespace Tips.Api.Extensions;

/// <summary>What the public edge of the API allows: per-person request rates and browser origins.</summary>
internal static class EdgeExtensions
{
    public static IHostApplicationBuilder AddEdgePolicies(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section)
            .Validate(o => o.TipsPerMinute is >= 1 and <= 100_000 && o.FeedbackPerMinute is >= 1 and <= 100_000,
                "RateLimits__TipsPerMinute and RateLimits__FeedbackPerMinute must be within 1..100000.")
            .Validate(o => o.TipsInFlight is >= 1 and <= 10_000 && o.TipsQueued is >= 0 and <= 10_000,
                "RateLimits__TipsInFlight must be within 1..10000 and RateLimits__TipsQueued within 0..10000.")
            .ValidateOnStart();
        services.AddSingleton<LoadShedder>();
        services.AddScoped<WorkSlot>();

        services.AddSingleton<PersonRateLimits>();

        services.AddOptions<CorsOriginsOptions>().BindConfiguration(CorsOriginsOptions.Section)
            .Validate(o => o.Origins.All(origin => Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.AbsolutePath == "/"),
                "Cors__AllowedOrigins must be absolute origins such as https://tips.example.com, separated by commas.")
            .ValidateOnStart();
        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<IOptions<CorsOriginsOptions>>((cors, origins) => cors.AddDefaultPolicy(policy =>
            {
                // No configured origin: no CORS headers at all, so browsers keep other sites out.
                if (origins.Value.Origins.Count > 0)
                {
                    policy.WithOrigins([.. origins.Value.Origins])
                        .WithMethods("GET", "POST", "PUT", "DELETE")
                        .WithHeaders("Authorization", "Content-Type")
                        // A page can read which trace served it, to put in a user's report.
                        .WithExposedHeaders(Telemetry.TraceResponseHeader)
                        .SetPreflightMaxAge(TimeSpan.FromHours(1));
                }
            }));
        return builder;
    }
}

/// <summary>Per-person request rates (config section <c>RateLimits</c>).</summary>
internal sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary><c>GET /tips</c> per person per minute (env <c>RateLimits__TipsPerMinute</c>).</summary>
    public int TipsPerMinute { get; set; } = 120;

    /// <summary>Feedback posts per person per minute (env <c>RateLimits__FeedbackPerMinute</c>).</summary>
    public int FeedbackPerMinute { get; set; } = 240;

    /// <summary>
    /// <c>GET /tips</c> one process works on at once (env <c>RateLimits__TipsInFlight</c>); waits for the LLM or
    /// Todoist do not count. On 2 cores about 30 warm requests in flight already keep the machine busy; more only
    /// contend for the CPU and the connection pool.
    /// </summary>
    public int TipsInFlight { get; set; } = 32;

    /// <summary>Requests that may wait for a slot before the next is refused with 503 (env <c>RateLimits__TipsQueued</c>).</summary>
    public int TipsQueued { get; set; } = 64;
}

/// <summary>Browser origins allowed to call the API (env <c>Cors__AllowedOrigins</c>, comma-separated).</summary>
internal sealed class CorsOriginsOptions
{
    public const string Section = "Cors";

    public string? AllowedOrigins { get; set; }

    public IReadOnlyList<string> Origins =>
        AllowedOrigins?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}
