namespace Tips.Serving.Llm;

/// <summary>
/// What the HTTP layer learns during one generation, for the code that started it: the OpenAI client hides
/// response headers, and the retry handler needs the generation's deadline. It flows with the async call
/// (an <see cref="AsyncLocal{T}"/>), so concurrent generations never see each other's.
/// </summary>
internal sealed class GatewayExchange(DateTimeOffset deadline)
{
    private static readonly AsyncLocal<GatewayExchange?> Slot = new();
    private int _httpRequests;

    /// <summary>The exchange of the generation running on this async flow, if any.</summary>
    public static GatewayExchange? Current => Slot.Value;

    /// <summary>Makes <paramref name="exchange"/> current for the calling async method and everything it awaits.</summary>
    public static GatewayExchange Begin(GatewayExchange exchange) => Slot.Value = exchange;

    /// <summary>No HTTP retry starts whose wait would end past this moment.</summary>
    public DateTimeOffset Deadline { get; } = deadline;

    /// <summary>HTTP requests sent to the gateway, retries included (kept apart from model calls).</summary>
    public int HttpRequests => Volatile.Read(ref _httpRequests);

    /// <summary><c>x-litellm-model-id</c> of the last response: the deployment that answered.</summary>
    public string? ModelId { get; private set; }

    /// <summary><c>x-litellm-call-id</c> of the last response: the gateway's id of the call, for its logs and spans.</summary>
    public string? CallId { get; private set; }

    public void RequestSent() => Interlocked.Increment(ref _httpRequests);

    public void ResponseReceived(string? modelId, string? callId)
    {
        ModelId = modelId;
        CallId = callId;
    }
}
