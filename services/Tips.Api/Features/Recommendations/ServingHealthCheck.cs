using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Tips.Api.Features.Recommendations;

/// <summary>Reports Tips.Serving without making readiness depend on it: without it tips come from tasks and fallbacks.</summary>
internal sealed class ServingHealthCheck(IHttpClientFactory http, IOptions<ServingOptions> serving) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var client = http.CreateClient();
            client.Timeout = TimeSpan.FromSeconds(2);
            using var response = await client.GetAsync(new Uri(serving.Value.Url, "/health/ready"), cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy("Tips.Serving is ready.")
                : HealthCheckResult.Degraded($"Tips.Serving answered {(int)response.StatusCode}; LLM tips are off.");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return HealthCheckResult.Degraded("Tips.Serving does not answer; LLM tips are off.");
        }
    }
}
