using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Refit;

namespace Tips.Api.Clients.Todoist;

internal static class TodoistClientRegistration
{
    /// <summary>
    /// The Refit client for Todoist API v1 at <c>TODOIST_API_URL</c>, its options (validated at start), and
    /// <see cref="TodoistClient"/> over it.
    /// </summary>
    public static IServiceCollection AddTodoistClient(this IServiceCollection services)
    {
        services.AddOptions<TodoistOptions>()
            .BindConfiguration(TodoistOptions.Section)
            .Configure<IConfiguration>((o, config) =>
            {
                if (config[TodoistOptions.UrlVariable] is { Length: > 0 } url)
                {
                    o.ApiUrl = url;
                }
            })
            .Validate(o => TodoistOptions.IsValidUrl(o.ApiUrl), TodoistOptions.UrlMessage)
            .Validate(o => o.TimeoutsAreOrdered(), TodoistOptions.TimeoutsMessage)
            .Validate(o => o.LimitsAreSane(), TodoistOptions.LimitsMessage)
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<TipsApiMetrics>();
        services.AddTransient<TodoistClient>();

        // Refit 16 builds requests in generated code; AddRefitClient<T> would need the separate reflection builder.
        services.AddRefitGeneratedClient<ITodoistApi>(new RefitSettings
            {
                ContentSerializer = new SystemTextJsonContentSerializer(TodoistJson.Options),
            })
            .ConfigureHttpClient((sp, http) =>
            {
                var options = sp.GetRequiredService<IOptions<TodoistOptions>>().Value;
                http.BaseAddress = options.BaseAddress;
                // The resilience handler owns the timeouts; this only catches a handler that never returns.
                http.Timeout = options.RequestTimeout + TimeSpan.FromSeconds(5);
            })
            // The factory's request logging redacts header values in its message but keeps the raw Authorization
            // header in its structured state (Trace), which a structured log sink would write out. TodoistClient logs
            // every failure itself.
            .RemoveAllLoggers()
            .AddStandardResilienceHandler()
            .Configure((resilience, sp) => Tune(resilience, sp.GetRequiredService<IOptions<TodoistOptions>>().Value));

        return services;
    }

    private static void Tune(HttpStandardResilienceOptions resilience, TodoistOptions options)
    {
        resilience.TotalRequestTimeout.Timeout = options.RequestTimeout;
        resilience.AttemptTimeout.Timeout = options.AttemptTimeout;

        resilience.Retry.MaxRetryAttempts = options.MaxRetries;
        resilience.Retry.Delay = options.RetryDelay;
        resilience.Retry.BackoffType = DelayBackoffType.Exponential;
        resilience.Retry.UseJitter = true;
        // A 503's Retry-After could exceed the whole request budget; the back-off above is the only wait.
        resilience.Retry.ShouldRetryAfterHeader = false;
        // 5xx, 408, timeouts and connection failures only. A 429 is never retried here: Todoist's limit is per
        // person, and its Retry-After (often a minute) is recorded as that person's retry_not_before instead.
        resilience.Retry.ShouldHandle = args => ValueTask.FromResult(
            !args.Context.CancellationToken.IsCancellationRequested &&
            args.Outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests &&
            HttpClientResiliencePredicates.IsTransient(args.Outcome));

        // One client serves every person: a shared breaker would let one person's failing Todoist calls (a burst of
        // 429s on their token) cut off everyone else. Back-off is per person (task_snapshots.retry_not_before).
        resilience.CircuitBreaker.ShouldHandle = _ => PredicateResult.False();
        resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(
            resilience.CircuitBreaker.SamplingDuration.Ticks, 2 * options.AttemptTimeout.Ticks));
    }
}
