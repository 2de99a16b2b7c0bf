using System.Text.Json;

namespace Tips.TestSupport.FakeGateway;

/// <summary>A message of a recorded chat completion request.</summary>
public sealed record RecordedMessage(string Role, string Content);

/// <summary>One request the fake gateway received, as it came over the wire.</summary>
public sealed class RecordedRequest
{
    internal RecordedRequest(string method, string path, IReadOnlyDictionary<string, string> headers, string body)
    {
        Method = method;
        Path = path;
        Headers = headers;
        Body = body;
        if (body.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                Json = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                // Kept as text only: a request whose body is not JSON is itself worth asserting on.
            }
        }
    }

    public string Method { get; }

    public string Path { get; }

    /// <summary>Header names in lower case; repeated headers joined with ", ".</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    public string Body { get; }

    public JsonElement? Json { get; }

    public string? Authorization => Headers.GetValueOrDefault("authorization");

    /// <summary>The W3C <c>traceparent</c> the caller sent, if any.</summary>
    public string? TraceParent => Headers.GetValueOrDefault("traceparent");

    /// <summary>The <c>x-litellm-call-id</c> the fake answered this request with (completions with LiteLLM headers only).</summary>
    public string? CallId { get; internal set; }

    public bool IsChatCompletion => Path.EndsWith("/chat/completions", StringComparison.Ordinal);

    /// <summary>The body's <c>model</c>: what the caller asked for (an alias).</summary>
    public string? Model => Property("model")?.GetString();

    public JsonElement? Property(string name) =>
        Json is { ValueKind: JsonValueKind.Object } json && json.TryGetProperty(name, out var value) ? value : null;

    /// <summary>The chat messages in order, text content only.</summary>
    public IReadOnlyList<RecordedMessage> Messages =>
        Property("messages") is { ValueKind: JsonValueKind.Array } messages
            ? [.. messages.EnumerateArray().Select(m => new RecordedMessage(m.GetProperty("role").GetString()!, Text(m)))]
            : [];

    /// <summary>Plain string content, or the text parts of a content array.</summary>
    private static string Text(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            return "";
        }
        return content.ValueKind switch
        {
            JsonValueKind.String => content.GetString()!,
            JsonValueKind.Array => string.Concat(content.EnumerateArray()
                .Where(p => p.TryGetProperty("type", out var t) && t.GetString() == "text")
                .Select(p => p.GetProperty("text").GetString())),
            _ => "",
        };
    }
}
