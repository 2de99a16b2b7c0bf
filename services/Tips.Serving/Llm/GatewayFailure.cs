using System.ClientModel;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Tips.ServiceDefaults;

namespace Tips.Serving.Llm;

/// <summary>
/// Maps what a model call threw to the caller's problem+json (design.md, "Serving API"): the gateway rejecting the
/// alias or the key → 502; unreachable, overloaded (429, keeping <c>Retry-After</c>) or 5xx → 503; a deadline or an
/// upstream timeout → 504. Each body says how many model calls were made. The gateway's own message is passed on
/// only where it helps and never with the master key in it; a 401's message is never passed on at all.
/// </summary>
internal static class GatewayFailure
{
    private const int MaxMessage = 300;

    /// <summary>The problem for <paramref name="error"/>, or null when it is not a gateway failure.</summary>
    /// <param name="attempts">Model calls made, this one included.</param>
    /// <param name="httpRequests">HTTP requests sent for them, retries included.</param>
    /// <param name="deadlinePassed">The generation's overall deadline fired (as opposed to one call's timeout).</param>
    public static ProblemException? Map(Exception error, int attempts, int httpRequests, GatewayOptions gateway, bool deadlinePassed, DateTimeOffset now)
    {
        var counts = new Counts(attempts, httpRequests);
        switch (error)
        {
            case OperationCanceledException when deadlinePassed:
                return Deadline(counts, $"No usable answer from the LLM gateway within the {Seconds(gateway.Deadline)} deadline.", error);
            case OperationCanceledException:
                // The OpenAI client's NetworkTimeout: one model call ran past Gateway__AttemptTimeout.
                return Deadline(counts, $"The LLM gateway did not answer one model call within {Seconds(gateway.AttemptTimeout)}.", error);
            case HttpRequestException http:
                return Unreachable(counts, gateway, http, error);
            case ClientResultException { Status: 0 } noResponse:
                return Unreachable(counts, gateway, noResponse.InnerException as HttpRequestException, error);
            case ClientResultException answered:
                return FromStatus(answered, counts, gateway, now);
            case JsonException or FormatException or InvalidOperationException or ArgumentException:
                // A 200 that is not an OpenAI chat completion: LITELLM_URL names something that is not the gateway.
                return Problem(StatusCodes.Status502BadGateway, ProblemTypes.LlmMalformed, "The LLM gateway's answer was unusable",
                    $"The answer from {gateway.BaseUri} is not an OpenAI chat completion: check LITELLM_URL.", counts, null, error);
            default:
                return null;
        }
    }

    private static ProblemException FromStatus(ClientResultException error, Counts counts, GatewayOptions gateway, DateTimeOffset now)
    {
        var status = error.Status;
        var message = GatewayMessage(error, gateway);
        switch (status)
        {
            case 401 or 403:
                return Problem(StatusCodes.Status502BadGateway, ProblemTypes.LlmGatewayRejected, "The LLM gateway rejected the request",
                    gateway.HasMasterKey
                        ? $"The LLM gateway refused the master key ({status}): check LITELLM_MASTER_KEY."
                        : $"The LLM gateway wants a key ({status}) and LITELLM_MASTER_KEY is not set.",
                    counts, status, error);
            case 400 when message?.Contains("Invalid model name", StringComparison.OrdinalIgnoreCase) == true:
                return Problem(StatusCodes.Status502BadGateway, ProblemTypes.LlmGatewayRejected, "The LLM gateway rejected the request",
                    $"The LLM gateway has no model alias '{gateway.Alias}' (400): add it to its model_list or fix Gateway__Alias.",
                    counts, status, error);
            case 408:
                return Deadline(counts, "The model behind the LLM gateway timed out (408).", error, status);
            case 429:
                var retryAfter = RetryAfterSeconds(error, now);
                return new ProblemException(StatusCodes.Status503ServiceUnavailable, ProblemTypes.LlmGatewayUnavailable,
                    "The LLM gateway is unavailable",
                    retryAfter is { } wait
                        ? $"The LLM gateway is rate limiting (429); retry after {wait} s."
                        : "The LLM gateway is rate limiting (429).",
                    Extensions(counts, status), error)
                { RetryAfterSeconds = retryAfter };
            case >= 500:
                return Problem(StatusCodes.Status503ServiceUnavailable, ProblemTypes.LlmGatewayUnavailable, "The LLM gateway is unavailable",
                    $"The LLM gateway answered {status}{(message is null ? "." : $": {message}")}", counts, status, error);
            default:
                // Any other 4xx (context window exceeded, a proxy without its database…): retrying as is cannot help.
                return Problem(StatusCodes.Status502BadGateway, ProblemTypes.LlmGatewayRejected, "The LLM gateway rejected the request",
                    $"The LLM gateway answered {status}{(message is null ? "." : $": {message}")}", counts, status, error);
        }
    }

    private static ProblemException Unreachable(Counts counts, GatewayOptions gateway, HttpRequestException? http, Exception error)
    {
        var reason = http?.HttpRequestError switch
        {
            HttpRequestError.ConnectionError => "the connection was refused or failed",
            HttpRequestError.NameResolutionError => "its host name does not resolve",
            HttpRequestError.ResponseEnded => "it closed the connection before answering",
            HttpRequestError.SecureConnectionError => "the TLS handshake failed",
            _ => "the request could not be sent",
        };
        return Problem(StatusCodes.Status503ServiceUnavailable, ProblemTypes.LlmGatewayUnavailable, "The LLM gateway is unavailable",
            $"No LLM gateway answers at {gateway.BaseUri} ({reason}): check LITELLM_URL.", counts, null, error);
    }

    private static ProblemException Deadline(Counts counts, string detail, Exception error, int? gatewayStatus = null) =>
        Problem(StatusCodes.Status504GatewayTimeout, ProblemTypes.LlmDeadline, "The LLM gateway did not answer in time",
            detail, counts, gatewayStatus, error);

    private static ProblemException Problem(int status, string type, string title, string detail, Counts counts, int? gatewayStatus, Exception error) =>
        new(status, type, title, detail, Extensions(counts, gatewayStatus), error);

    /// <summary><c>attempts</c> (model calls), <c>gateway_requests</c> (HTTP tries) and the gateway's status.</summary>
    internal static Dictionary<string, object?> Extensions(Counts counts, int? gatewayStatus)
    {
        var extensions = new Dictionary<string, object?> { ["attempts"] = counts.Attempts, ["gateway_requests"] = counts.HttpRequests };
        if (gatewayStatus is { } status)
        {
            extensions["gateway_status"] = status;
        }
        return extensions;
    }

    /// <summary><c>error.message</c> of the LiteLLM envelope, without the key and cut short; null when absent.</summary>
    private static string? GatewayMessage(ClientResultException error, GatewayOptions gateway)
    {
        try
        {
            var content = error.GetRawResponse()?.Content;
            if (content is null || content.IsEmpty)
            {
                return null;
            }
            using var envelope = JsonDocument.Parse(content.ToMemory());
            var root = envelope.RootElement;
            string? message = null;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var inner))
            {
                message = inner.ValueKind == JsonValueKind.Object && inner.TryGetProperty("message", out var text) && text.ValueKind == JsonValueKind.String
                    ? text.GetString()
                    : inner.ValueKind == JsonValueKind.String ? inner.GetString() : null;
            }
            else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
            {
                message = detail.GetString();
            }
            return Clean(message, gateway);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Clean(string? message, GatewayOptions gateway)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return null;
        }
        if (gateway.HasMasterKey)
        {
            message = message.Replace(gateway.MasterKey!, "***", StringComparison.Ordinal);
        }
        message = message.ReplaceLineEndings(" ").Trim();
        return message.Length <= MaxMessage ? message : string.Concat(message.AsSpan(0, MaxMessage), "…");
    }

    private static int? RetryAfterSeconds(ClientResultException error, DateTimeOffset now)
    {
        if (error.GetRawResponse()?.Headers.TryGetValue("Retry-After", out var value) != true || value is null)
        {
            return null;
        }
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds;
        }
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? Math.Max(0, (int)Math.Ceiling((at - now).TotalSeconds))
            : null;
    }

    internal readonly record struct Counts(int Attempts, int HttpRequests);

    private static string Seconds(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.###} s");
}
