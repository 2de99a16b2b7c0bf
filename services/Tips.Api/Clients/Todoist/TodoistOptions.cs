namespace Tips.Api.Clients.Todoist;

/// <summary>
/// How Tips talks to Todoist. The base URL comes from <c>TODOIST_API_URL</c>; the rest from the <c>Todoist</c>
/// section (environment: <c>Todoist__Deadline=00:00:03</c> and so on).
/// </summary>
internal sealed class TodoistOptions
{
    public const string Section = "Todoist";
    public const string UrlVariable = "TODOIST_API_URL";
    public const string DefaultUrl = "https://api.todoist.com/api/v1";

    /// <summary>The largest page Todoist serves (a larger <c>limit</c> is a 400).</summary>
    public const int PageLimit = 200;

    /// <summary>Todoist API v1 base URL.</summary>
    public string ApiUrl { get; set; } = DefaultUrl;

    /// <summary>How long a task snapshot counts as fresh: within it, no Todoist call is made.</summary>
    public TimeSpan SnapshotTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest the context assembler waits for Todoist (all pages, retries included).</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>One HTTP request to Todoist, retries included; below <see cref="Deadline"/>.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(2.5);

    /// <summary>One attempt of one HTTP request.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(1.2);

    /// <summary>Retries after a 5xx, 408, timeout or connection failure (never after 401/403/429).</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Base of the exponential back-off between retries (with jitter).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>After Todoist failed for a person (5xx, timeout, unreachable), wait this long before asking again.</summary>
    public TimeSpan FailureBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The wait after a 429 that carries no <c>Retry-After</c>.</summary>
    public TimeSpan DefaultRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest wait a 429 can impose, whatever its <c>Retry-After</c> says.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>At most this many pages of tasks are read (200 each); the rest is left for the next fetch.</summary>
    public int MaxPages { get; set; } = 20;

    /// <summary><see cref="ApiUrl"/> without a trailing slash, so that Refit's <c>/tasks</c> lands under it.</summary>
    public Uri BaseAddress => new(ApiUrl.Trim().TrimEnd('/'), UriKind.Absolute);

    public static bool IsValidUrl(string? url) =>
        Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) &&
        (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) &&
        string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment);

    public const string UrlMessage =
        "TODOIST_API_URL must be an absolute http:// or https:// URL without query, e.g. https://api.todoist.com/api/v1.";

    public const string TimeoutsMessage =
        "Todoist timeouts must satisfy 0 < Todoist__AttemptTimeout < Todoist__RequestTimeout < Todoist__Deadline " +
        "(defaults 00:00:01.2, 00:00:02.5, 00:00:03): one request, retries included, must end before the assembler stops waiting.";

    public const string LimitsMessage =
        "Todoist__MaxRetries must be 1..5, Todoist__MaxPages 1..100, Todoist__RetryDelay 0..10 s, and " +
        "Todoist__SnapshotTtl, Todoist__FailureBackoff, Todoist__DefaultRetryAfter and Todoist__MaxRetryAfter positive.";

    public bool TimeoutsAreOrdered() =>
        AttemptTimeout > TimeSpan.Zero && AttemptTimeout < RequestTimeout && RequestTimeout < Deadline;

    public bool LimitsAreSane() =>
        MaxRetries is >= 1 and <= 5 && MaxPages is >= 1 and <= 100 &&
        RetryDelay >= TimeSpan.Zero && RetryDelay <= TimeSpan.FromSeconds(10) &&
        SnapshotTtl > TimeSpan.Zero && FailureBackoff > TimeSpan.Zero &&
        DefaultRetryAfter > TimeSpan.Zero && MaxRetryAfter >= DefaultRetryAfter;
}
