using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Tips.Api.Tests.Support;
using Tips.Contracts;
using Tips.TestSupport.Serving;

namespace Tips.Api.Tests.Hardening;

/// <summary>The signing key, the internal serving key and people's bearer tokens never reach a log line or an answer.</summary>
public sealed class SecretsInLogsTests : ApiTest
{
    [Fact]
    public async Task No_secret_is_written_through_tips_feedback_and_failures()
    {
        await using var serving = await FakeServing.StartAsync();
        foreach (var category in new[] { "Default", "Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "System.Net.Http.HttpClient", "Polly" })
        {
            Api.With($"Logging:LogLevel:{category}", "Trace");
        }
        Api.WithServing(serving);
        await using var api = Api.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddFakeLogging()));
        var jwt = TestTokens.For("ana");
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        var forged = api.CreateClient();
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", jwt[..^4] + "AAAA");
        var bodies = new List<string>();
        async Task<HttpResponseMessage> Send(Task<HttpResponseMessage> call)
        {
            var response = await call;
            bodies.Add(await response.Content.ReadAsStringAsync());
            return response;
        }

        var tips = await (await Send(client.GetAsync("/tips?limit=2"))).Content.ReadFromJsonAsync<TipsResponse>(TipsJson.Options);
        await Send(client.PostAsJsonAsync($"/tips/{tips!.Tips[0].Id}/feedback", new { action = "done", dwell_ms = 20_000 }));
        await Send(client.PostAsJsonAsync($"/tips/{tips.Tips[0].Id}/feedback", new { action = "nope" }));
        serving.Always(_ => FakeServingReply.Problem(503, "urn:tips:problem:llm-gateway-unavailable"));
        Api.Time.Advance(TimeSpan.FromDays(2));
        await Send(client.GetAsync("/tips"));
        await Send(forged.GetAsync("/tips"));

        var logs = api.Services.GetFakeLogCollector().GetSnapshot();
        Assert.Contains(logs, r => r.Level == LogLevel.Trace);
        Assert.Equal(2, serving.Calls);
        foreach (var secret in new[] { TestTokens.SigningKey, TipsApiFactory.ServingKey, jwt, jwt.Split('.')[2] })
        {
            Assert.All(logs, r => Assert.DoesNotContain(secret, LogText.Everything(r)));
            Assert.All(bodies, b => Assert.DoesNotContain(secret, b));
        }
    }
}
