using Microsoft.AspNetCore.Http;

namespace Tips.ServiceDefaults;

/// <summary>
/// A failure with a known meaning for the caller. The exception handler writes it as problem+json with this
/// status and stable <see cref="Type"/>; <see cref="Extensions"/> become extra members of the body.
/// </summary>
public sealed class ProblemException(
    int status,
    string type,
    string title,
    string? detail = null,
    IReadOnlyDictionary<string, object?>? extensions = null,
    Exception? inner = null) : Exception(detail ?? title, inner)
{
    public int Status { get; } = status;
    public string Type { get; } = type;
    public string Title { get; } = title;
    public string? Detail { get; } = detail;
    public IReadOnlyDictionary<string, object?> Extensions { get; } = extensions ?? new Dictionary<string, object?>();

    /// <summary>Seconds the caller should wait before retrying; written as a <c>Retry-After</c> header.</summary>
    public int? RetryAfterSeconds { get; init; }

    public static ProblemException ServiceUnavailable(string type, string title, string detail, Exception? inner = null) =>
        new(StatusCodes.Status503ServiceUnavailable, type, title, detail, inner: inner);
}

/// <summary>Stable problem <c>type</c> values, shared so that clients can switch on them.</summary>
public static class ProblemTypes
{
    private const string Prefix = "urn:tips:problem:";
    public const string Validation = Prefix + "validation";
    public const string BadRequest = Prefix + "bad-request";
    public const string Unauthorized = Prefix + "unauthorized";
    public const string Forbidden = Prefix + "forbidden";
    public const string NotFound = Prefix + "not-found";
    public const string TooLarge = Prefix + "too-large";
    public const string RateLimited = Prefix + "rate-limited";

    /// <summary>The service is at capacity and refused the request at once (503 with <c>Retry-After</c>).</summary>
    public const string Overloaded = Prefix + "overloaded";

    /// <summary>Todoist refused the API token given to <c>PUT /integrations/todoist</c> (401/403).</summary>
    public const string TodoistTokenInvalid = Prefix + "todoist-token-invalid";
    public const string NotImplemented = Prefix + "not-implemented";
    public const string DatabaseUnavailable = Prefix + "database-unavailable";
    public const string Unexpected = Prefix + "unexpected";

    // Tips.Serving: how a generation through the LLM gateway failed (502, 502, 503, 504).
    public const string LlmMalformed = Prefix + "llm-malformed";
    public const string LlmGatewayRejected = Prefix + "llm-gateway-rejected";
    public const string LlmGatewayUnavailable = Prefix + "llm-gateway-unavailable";
    public const string LlmDeadline = Prefix + "llm-deadline";
}
