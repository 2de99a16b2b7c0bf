using Tips.Serving.Tests.Support;
using Tips.TestSupport.FakeGateway;

namespace Tips.Serving.Tests.Generate;

public sealed class RetryAfterTests : GatewayTest
{
    protected override void Configure(ServingFactory serving) => serving.With("Gateway:MaxRetryAfter", "00:00:02");

    [Fact]
    public async Task A_429_asking_for_a_short_wait_is_waited_out_and_retried()
    {
        Gateway.Enqueue(FakeGatewayReply.RateLimited(1), FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));

        var generating = GenerateAsync();
        await Gateway.WaitForChatRequestAsync(1);
        // The retry waits on the service's clock: move it on until the second try arrives.
        for (var step = 0; step < 200 && Gateway.ChatRequests.Count < 2; step++)
        {
            Serving.Time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(10);
        }
        var generated = await ReadGeneratedAsync(await generating);

        Assert.Equal(1, generated.Attempts);
        Assert.Equal(2, Gateway.ChatRequests.Count);
    }

    [Fact]
    public async Task A_429_asking_for_a_longer_wait_than_allowed_is_passed_on()
    {
        Gateway.Enqueue(FakeGatewayReply.RateLimited(3), FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));

        var response = await GenerateAsync();

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
        Assert.Single(Gateway.ChatRequests);
    }
}
