using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Tips.Serving.Llm;

/// <summary>
/// Sits under the retry handler, so it sees every HTTP try: counts them and keeps the LiteLLM headers that name
/// what answered (<c>x-litellm-model-id</c>, <c>x-litellm-call-id</c>) on the current <see cref="GatewayExchange"/>,
/// and the call id on the model call's span. Without a master key it sends no Authorization header at all: an open
/// gateway answers, a keyed one says 401.
/// </summary>
internal sealed class GatewayHeadersHandler(IOptions<GatewayOptions> options) : DelegatingHandler
{
    public const string ModelIdHeader = "x-litellm-model-id";
    public const string CallIdHeader = "x-litellm-call-id";

    /// <summary>What the OpenAI client is given when no key is set (it insists on one); never sent.</summary>
    public const string NoKeyPlaceholder = "no-master-key";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!options.Value.HasMasterKey)
        {
            request.Headers.Authorization = null;
        }

        var exchange = GatewayExchange.Current;
        exchange?.RequestSent();
        var response = await base.SendAsync(request, cancellationToken);
        var callId = Header(response, CallIdHeader);
        exchange?.ResponseReceived(Header(response, ModelIdHeader), callId);
        if (callId is not null)
        {
            // The model call's span (gen_ai "chat"); the HTTP span below gets it from the instrumentation's enrichment.
            Activity.Current?.SetTag(ServingMetrics.CallIdTag, callId);
        }
        return response;
    }

    /// <summary>Enriches the HTTP client span of a gateway answer with its <c>x-litellm-call-id</c>.</summary>
    public static void EnrichHttpSpan(Activity activity, HttpResponseMessage response)
    {
        if (Header(response, CallIdHeader) is { } callId)
        {
            activity.SetTag(ServingMetrics.CallIdTag, callId);
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) && values.FirstOrDefault() is { Length: > 0 } value ? value : null;
}
