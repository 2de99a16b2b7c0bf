using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Tips.Serving.Llm;

/// <summary>
/// The one layer that retries HTTP faults of the gateway (the OpenAI client's own retries are off). It retries
/// only what a retry can fix soon: a refused or dropped connection, a 5xx, a 429 asking for a short wait. Never
/// 400/401 (retrying cannot fix them), 408 (the gateway already waited for its upstream), a 429 with a long
/// <c>Retry-After</c> (the caller is told instead), nor a wait that would end past the generation's deadline.
/// </summary>
internal static class GatewayRetry
{
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, GatewayOptions options, TimeProvider time)
    {
        if (options.HttpRetries == 0)
        {
            return;
        }

        pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = options.HttpRetries,
            ShouldHandle = args => ValueTask.FromResult(
                !args.Context.CancellationToken.IsCancellationRequested &&
                Wait(args.Outcome, args.AttemptNumber, options, time.GetUtcNow(), GatewayExchange.Current?.Deadline) is not null),
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                Wait(args.Outcome, args.AttemptNumber, options, time.GetUtcNow(), GatewayExchange.Current?.Deadline) ?? TimeSpan.Zero),
        });
    }

    /// <summary>How long to wait before the next try of this outcome, or null when it must not be retried.</summary>
    /// <param name="attempt">0 for the first retry.</param>
    public static TimeSpan? Wait(Outcome<HttpResponseMessage> outcome, int attempt, GatewayOptions options, DateTimeOffset now, DateTimeOffset? deadline)
    {
        TimeSpan wait;
        if (outcome.Exception is not null)
        {
            // Connection refused, reset or cut mid-answer. Timeouts and cancellations are not retried here.
            if (outcome.Exception is not HttpRequestException)
            {
                return null;
            }
            wait = Backoff(options, attempt);
        }
        else if (outcome.Result is { } response)
        {
            var status = (int)response.StatusCode;
            var retryAfter = RetryAfter(response, now);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                if (retryAfter is null || retryAfter > options.MaxRetryAfter)
                {
                    return null;
                }
                wait = retryAfter.Value;
            }
            else if (status >= 500 && status != 501 && status != 505)
            {
                wait = retryAfter is { } asked && asked <= options.MaxRetryAfter ? asked : Backoff(options, attempt);
            }
            else
            {
                return null;
            }
        }
        else
        {
            return null;
        }

        return deadline is { } end && now + wait >= end ? null : wait;
    }

    /// <summary>The gateway's <c>Retry-After</c> as a wait from <paramref name="now"/> (seconds or an HTTP date).</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };

    private static TimeSpan Backoff(GatewayOptions options, int attempt) =>
        options.HttpRetryDelay * Math.Pow(2, Math.Clamp(attempt, 0, 10));
}
