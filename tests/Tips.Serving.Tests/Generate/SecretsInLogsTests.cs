using System.Net;
using Microsoft.Extensions.Logging;
using Tips.ServiceDefaults;
using Tips.Serving.Tests.Support;
using Tips.TestSupport.FakeGateway;

namespace Tips.Serving.Tests.Generate;

/// <summary>The master key never reaches a log line, and the person's tasks never reach one at Information or above.</summary>
public sealed class SecretsInLogsTests : GatewayTest
{
    [Fact]
    public async Task The_key_and_the_task_text_stay_out_of_logs_through_success_repair_and_failures()
    {
        Gateway.Enqueue(
            FakeGatewayReply.Completion("Pay the rent for March, then water the plants."),
            FakeGatewayReply.Completion(Contexts.ThreeTipsJson()),
            FakeGatewayReply.ConnectionError(), FakeGatewayReply.ConnectionError(), FakeGatewayReply.ConnectionError(),
            FakeGatewayReply.RateLimited(20));

        Assert.Equal(HttpStatusCode.OK, (await GenerateAsync()).StatusCode);
        await (await GenerateAsync()).AssertProblemAsync(HttpStatusCode.ServiceUnavailable, ProblemTypes.LlmGatewayUnavailable);
        await (await GenerateAsync()).AssertProblemAsync(HttpStatusCode.ServiceUnavailable, ProblemTypes.LlmGatewayUnavailable);

        var records = Serving.Logs.GetSnapshot();
        Assert.Contains(records, r => r.Level == LogLevel.Trace); // every level is captured, not just the visible ones
        Assert.Contains(records, r => r.Message.StartsWith("Generated 3 tip(s) in 2 model call(s)", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Level == LogLevel.Warning && r.Message.StartsWith("Model call 1 gave an unusable reply", StringComparison.Ordinal));
        foreach (var record in records)
        {
            var text = $"{record.Message} {record.Exception}";
            Assert.DoesNotContain(FakeLlmGateway.DefaultMasterKey, text);
            if (record.Level >= LogLevel.Information)
            {
                Assert.DoesNotContain("Pay the rent for March", text);
                Assert.DoesNotContain("quarterly report", text);
            }
        }
    }

    [Fact]
    public async Task A_rejected_key_is_not_logged_either()
    {
        const string wrongKey = "sk-not-the-master-key-5555";
        await using var serving = new ServingFactory(Gateway.Url, wrongKey);

        var response = await serving.CreateClient().PostAsync("/generate",
            System.Net.Http.Json.JsonContent.Create(Contexts.Request(), options: Tips.Contracts.TipsJson.Options));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.All(serving.Logs.GetSnapshot(), r => Assert.DoesNotContain(wrongKey, $"{r.Message} {r.Exception}"));
    }
}
