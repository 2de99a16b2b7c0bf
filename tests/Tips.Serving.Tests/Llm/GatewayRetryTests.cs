using System.Net;
using Polly;
using Tips.Serving.Llm;

namespace Tips.Serving.Tests.Llm;

/// <summary>Which HTTP outcomes the one retrying layer retries, and how long it waits.</summary>
public sealed class GatewayRetryTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly GatewayOptions Options = new() { HttpRetryDelay = TimeSpan.FromMilliseconds(200), MaxRetryAfter = TimeSpan.FromSeconds(2) };

    private static TimeSpan? Wait(HttpStatusCode status, int attempt = 0, TimeSpan? retryAfter = null, DateTimeOffset? deadline = null)
    {
        using var response = new HttpResponseMessage(status);
        if (retryAfter is { } delta)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(delta);
        }
        return GatewayRetry.Wait(Outcome.FromResult(response), attempt, Options, Now, deadline ?? Now.AddSeconds(45));
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public void Transient_5xx_are_retried_with_a_doubling_backoff(HttpStatusCode status)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(200), Wait(status, attempt: 0));
        Assert.Equal(TimeSpan.FromMilliseconds(400), Wait(status, attempt: 1));
    }

    [Theory]
    [InlineData(HttpStatusCode.OK)]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.NotImplemented)]
    public void Answers_a_retry_cannot_fix_are_not_retried(HttpStatusCode status)
    {
        Assert.Null(Wait(status));
    }

    [Fact]
    public void A_429_is_retried_only_when_it_asks_for_a_short_wait()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), Wait(HttpStatusCode.TooManyRequests, retryAfter: TimeSpan.FromSeconds(1)));
        Assert.Null(Wait(HttpStatusCode.TooManyRequests, retryAfter: TimeSpan.FromSeconds(30)));
        Assert.Null(Wait(HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public void A_503_asking_for_a_short_wait_gets_that_wait()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), Wait(HttpStatusCode.ServiceUnavailable, retryAfter: TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void No_retry_starts_whose_wait_ends_past_the_deadline()
    {
        Assert.Null(Wait(HttpStatusCode.InternalServerError, deadline: Now.AddMilliseconds(150)));
        Assert.Null(Wait(HttpStatusCode.TooManyRequests, retryAfter: TimeSpan.FromSeconds(1), deadline: Now.AddMilliseconds(900)));
    }

    [Fact]
    public void Refused_or_dropped_connections_are_retried_but_timeouts_are_not()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused");

        Assert.Equal(TimeSpan.FromMilliseconds(200),
            GatewayRetry.Wait(Outcome.FromException<HttpResponseMessage>(refused), 0, Options, Now, Now.AddSeconds(45)));
        Assert.Null(GatewayRetry.Wait(Outcome.FromException<HttpResponseMessage>(new TaskCanceledException()), 0, Options, Now, Now.AddSeconds(45)));
    }
}
