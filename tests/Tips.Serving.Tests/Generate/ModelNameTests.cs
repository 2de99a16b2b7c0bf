using Tips.Serving.Tests.Support;
using Tips.TestSupport.FakeGateway;

namespace Tips.Serving.Tests.Generate;

/// <summary><c>llm_model</c> names the concrete model that answered, never the alias, and is never guessed.</summary>
public sealed class ModelNameTests : GatewayTest
{
    private int ModelInfoRequests => Gateway.Requests.Count(r => r.Path == "/v1/model/info");

    [Fact]
    public async Task The_deployment_id_header_is_resolved_through_model_info_and_cached()
    {
        var other = Gateway.AddDeployment("judge", "hosted_vllm/judge-fake");

        var first = await ReadGeneratedAsync(await GenerateAsync());
        var second = await ReadGeneratedAsync(await GenerateAsync());

        Assert.Equal(FakeLlmGateway.DefaultModel, first.LlmModel);
        Assert.Equal(FakeLlmGateway.DefaultModel, second.LlmModel);
        Assert.NotEqual(other.Model, first.LlmModel);
        Assert.Equal(1, ModelInfoRequests);
        Assert.Equal($"Bearer {FakeLlmGateway.DefaultMasterKey}", Gateway.Requests.First(r => r.Path == "/v1/model/info").Authorization);
    }

    [Fact]
    public async Task Model_info_is_asked_again_once_its_time_to_live_has_passed()
    {
        await ReadGeneratedAsync(await GenerateAsync());
        Serving.Time.Advance(TimeSpan.FromMinutes(4));
        await ReadGeneratedAsync(await GenerateAsync());
        Assert.Equal(1, ModelInfoRequests);

        Serving.Time.Advance(TimeSpan.FromMinutes(2));
        await ReadGeneratedAsync(await GenerateAsync());

        Assert.Equal(2, ModelInfoRequests);
    }

    [Fact]
    public async Task Without_model_info_and_with_the_alias_in_the_body_the_model_stays_unnamed()
    {
        Gateway.ModelInfoFailure = FakeGatewayReply.Error(500, "Internal Server Error");

        var generated = await ReadGeneratedAsync(await GenerateAsync());

        Assert.Null(generated.LlmModel);
        Assert.All(generated.Candidates, c => Assert.Null(c.Model));
        Assert.Equal(3, generated.Candidates.Count);
    }

    [Fact]
    public async Task An_older_gateway_naming_the_model_in_the_body_is_believed()
    {
        Gateway.EchoAliasInBody = false;
        Gateway.SendLiteLlmHeaders = false;

        var generated = await ReadGeneratedAsync(await GenerateAsync());

        Assert.Equal(FakeLlmGateway.DefaultModel, generated.LlmModel);
        Assert.Equal(0, ModelInfoRequests); // no deployment id to look up
    }

    [Fact]
    public async Task Without_headers_and_with_the_alias_in_the_body_the_model_stays_unnamed()
    {
        Gateway.SendLiteLlmHeaders = false;

        var generated = await ReadGeneratedAsync(await GenerateAsync());

        Assert.Null(generated.LlmModel);
    }
}
