using System.ComponentModel.DataAnnotations;

namespace Tips.Api.Features.Recommendations;

/// <summary>How GET /tips assembles its pool (config section <c>Recommendations</c>).</summary>
public sealed class RecommendationOptions
{
    public const string Section = "Recommendations";

    /// <summary>How long a request waits for new LLM candidates before serving without them. The generation
    /// itself goes on in the background and fills the cache for the next request.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00", ErrorMessage = "Recommendations__LlmDeadline must be within 50 ms..1 min.")]
    public TimeSpan LlmDeadline { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The most a background generation may take; above Tips.Serving's own deadline (45 s by default), so
    /// that Serving's answer, even an error, is what ends a generation.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Recommendations__GenerationTimeout must be within 1 s..10 min.")]
    public TimeSpan GenerationTimeout { get; set; } = TimeSpan.FromSeconds(50);

    /// <summary>LLM candidates younger than this are used as they are; older ones are used once more while a
    /// background refresh replaces them.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Recommendations__CandidateTtl must be within 1 s..1 day.")]
    public TimeSpan CandidateTtl { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>LLM candidates older than this are not served at all.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00", ErrorMessage = "Recommendations__CandidateMaxAge must be within 1 s..7 days.")]
    public TimeSpan CandidateMaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How many candidates to ask the LLM for.</summary>
    [Range(1, 10, ErrorMessage = "Recommendations__LlmCandidateCount must be within 1..10.")]
    public int LlmCandidateCount { get; set; } = 5;

    /// <summary>At most this many task-direct candidates, from the most pressing tasks.</summary>
    [Range(1, 50, ErrorMessage = "Recommendations__TaskTipLimit must be within 1..50.")]
    public int TaskTipLimit { get; set; } = 8;

    /// <summary>A tip (or its task) the person marked done or dismissed is not offered again for this long.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00", ErrorMessage = "Recommendations__SuppressAfterFeedback must be within 0..30 days.")]
    public TimeSpan SuppressAfterFeedback { get; set; } = TimeSpan.FromHours(20);

    /// <summary>How long a replica keeps a person's scoring state (their model's coefficients, their suppressed
    /// tips) and their LLM candidates before reading them again; 0 reads them on every request. Feedback posted to
    /// this replica takes effect at once; feedback or new candidates from another replica, within this time.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "Recommendations__StateCacheFor must be within 0..10 min.")]
    public TimeSpan StateCacheFor { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A snoozed tip comes back after this long.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00", ErrorMessage = "Recommendations__SnoozeFor must be within 0..7 days.")]
    public TimeSpan SnoozeFor { get; set; } = TimeSpan.FromHours(3);
}

/// <summary>Where Tips.Api finds Tips.Serving (<c>SERVING_URL</c>) and the key it must send (<c>SERVING_API_KEY</c>).</summary>
public sealed class ServingOptions
{
    public const string KeyHeader = "X-Serving-Key";

    public const string MissingKeyMessage =
        "SERVING_API_KEY is not set or shorter than 16 characters. Set the same random secret on Tips.Api and " +
        "Tips.Serving: Serving refuses /generate without it.";

    public Uri Url { get; set; } = new("http://127.0.0.1:5081");

    public string? ApiKey { get; set; }
}
