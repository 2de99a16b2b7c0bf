using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Tips.Serving.Llm;

/// <summary>
/// Reports whether the gateway's liveness probe (<c>GET /health/liveliness</c>, no key, no model call) answers.
/// A gateway that is down makes this service <c>degraded</c>, never unhealthy: Tips.Api still serves task and
/// fallback tips, and a restart of this service would not bring the gateway back.
/// </summary>
internal sealed class GatewayHealthCheck(IHttpClientFactory httpClients, IOptions<GatewayOptions> options, TimeProvider time)
    : IHealthCheck
{
    public const string Name = "llm_gateway";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var gateway = options.Value;
        var probe = new Uri(gateway.BaseUri, "health/liveliness");
        using var timeout = new CancellationTokenSource(gateway.ProbeTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await httpClients.CreateClient(ModelCatalog.HttpClientName).GetAsync(probe, linked.Token);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy($"The LLM gateway answers at {gateway.BaseUri}.")
                : HealthCheckResult.Degraded(
                    $"The LLM gateway at {gateway.BaseUri} answered {(int)response.StatusCode} to its liveness probe; LLM tips are off.");
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var reason = e is OperationCanceledException ? $"no answer within {gateway.ProbeTimeout.TotalSeconds:0.#} s" : e.Message;
            return HealthCheckResult.Degraded($"No LLM gateway answers at {gateway.BaseUri} ({reason}); LLM tips are off.");
        }
    }
}
