using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Polly.Timeout;
using Refit;

namespace Tips.Api.Clients.Todoist;

/// <summary>
/// Todoist calls with every failure turned into a <see cref="TodoistFailure"/>: 401/403 → invalid token,
/// 429 → rate limited with its <c>Retry-After</c>, anything else → unavailable. Only the caller's own cancellation
/// throws. Retries of 5xx and timeouts happen below, in the HTTP client's resilience handler.
/// </summary>
internal sealed partial class TodoistClient(
    ITodoistApi api,
    IOptions<TodoistOptions> options,
    TimeProvider time,
    TipsApiMetrics metrics,
    ILogger<TodoistClient> logger)
{
    private readonly TodoistOptions _options = options.Value;

    /// <summary>Checks the token with <c>GET /user</c> and reads the owner's timezone.</summary>
    public async Task<TodoistOutcome<TodoistAccount>> GetAccountAsync(string token, CancellationToken cancellationToken)
    {
        var (user, failure) = await CallAsync("GET /user", "get_user", () => api.GetUserAsync(token, cancellationToken), cancellationToken);
        return failure is null
            ? TodoistOutcome<TodoistAccount>.Ok(new TodoistAccount(user!.TzInfo?.Timezone))
            : TodoistOutcome<TodoistAccount>.Failed(failure);
    }

    /// <summary>
    /// Every active task: <c>GET /tasks?limit=200</c>, following <c>next_cursor</c> until it is null, deduplicated
    /// by id (tasks can shift between pages), at most <see cref="TodoistOptions.MaxPages"/> pages.
    /// </summary>
    public async Task<TodoistOutcome<IReadOnlyList<TodoistTask>>> GetActiveTasksAsync(string token, CancellationToken cancellationToken)
    {
        var tasks = new List<TodoistTask>();
        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        var seenCursors = new HashSet<string>(StringComparer.Ordinal);
        string? cursor = null;

        for (var page = 1; ; page++)
        {
            var (body, failure) = await CallAsync("GET /tasks", "get_tasks",
                () => api.GetTasksAsync(TodoistOptions.PageLimit, cursor, token, cancellationToken), cancellationToken);
            if (failure is not null)
            {
                return TodoistOutcome<IReadOnlyList<TodoistTask>>.Failed(failure);
            }

            foreach (var task in body!.Results ?? [])
            {
                if (task is { Id.Length: > 0 } && task.Checked != true && task.IsDeleted != true && seenIds.Add(task.Id))
                {
                    tasks.Add(task);
                }
            }

            cursor = body.NextCursor;
            if (string.IsNullOrEmpty(cursor))
            {
                break;
            }
            if (!seenCursors.Add(cursor))
            {
                // A cursor seen before would page forever.
                LogRepeatedCursor(logger, page);
                break;
            }
            if (page >= _options.MaxPages)
            {
                LogPageCap(logger, _options.MaxPages, tasks.Count);
                break;
            }
        }

        return TodoistOutcome<IReadOnlyList<TodoistTask>>.Ok(tasks);
    }

    /// <param name="metricName">The operation as <c>tips.todoist.requests</c> names it.</param>
    private async Task<(T? Body, TodoistFailure? Failure)> CallAsync<T>(
        string operation, string metricName, Func<Task<IApiResponse<T>>> call, CancellationToken cancellationToken) where T : class
    {
        var result = await CallOnceAsync(operation, call, cancellationToken);
        metrics.TodoistCalled(metricName, result.Failure?.Kind);
        return result;
    }

    private async Task<(T? Body, TodoistFailure? Failure)> CallOnceAsync<T>(
        string operation, Func<Task<IApiResponse<T>>> call, CancellationToken cancellationToken) where T : class
    {
        IApiResponse<T> response;
        try
        {
            response = await call();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (IsTransport(e))
        {
            return (null, Failed(operation, TransportFailure(e)));
        }

        using (response)
        {
            if (response.HasRequestError(out var requestError))
            {
                cancellationToken.ThrowIfCancellationRequested();
                return (null, Failed(operation, TransportFailure(requestError.InnerException ?? requestError)));
            }

            if (response.StatusCode is not { } code)
            {
                return (null, Failed(operation, new TodoistFailure(TodoistFailureKind.Unavailable, "Todoist gave no answer")));
            }

            var status = (int)code;
            if (response.IsSuccessStatusCode)
            {
                return response.Error is null && response.Content is { } body
                    ? (body, null)
                    : (null, Failed(operation, new TodoistFailure(TodoistFailureKind.Unavailable, $"Todoist answered {status} with a body that could not be read")));
            }

            var failure = code switch
            {
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden =>
                    new TodoistFailure(TodoistFailureKind.InvalidToken, $"Todoist refused the token ({status})"),
                HttpStatusCode.TooManyRequests =>
                    new TodoistFailure(TodoistFailureKind.RateLimited, "Todoist rate limit reached (429)", RetryAfter(response)),
                _ => new TodoistFailure(TodoistFailureKind.Unavailable, $"Todoist answered {status}"),
            };
            return (null, Failed(operation, failure));
        }
    }

    private TodoistFailure Failed(string operation, TodoistFailure failure)
    {
        LogFailure(logger, operation, failure.Kind, failure.Reason);
        return failure;
    }

    private static bool IsTransport(Exception e) =>
        e is HttpRequestException or TimeoutRejectedException or OperationCanceledException or ApiRequestException or IOException or JsonException;

    private TodoistFailure TransportFailure(Exception e) => e switch
    {
        TimeoutRejectedException or OperationCanceledException or TimeoutException =>
            new TodoistFailure(TodoistFailureKind.Unavailable, $"Todoist did not answer within {_options.RequestTimeout.TotalSeconds:0.#} s"),
        JsonException =>
            new TodoistFailure(TodoistFailureKind.Unavailable, "Todoist sent a body that could not be read"),
        _ when e.InnerException is TimeoutRejectedException or TimeoutException =>
            new TodoistFailure(TodoistFailureKind.Unavailable, $"Todoist did not answer within {_options.RequestTimeout.TotalSeconds:0.#} s"),
        // The exception's message may name the host, never a token; only its type is kept.
        _ => new TodoistFailure(TodoistFailureKind.Unavailable, $"Todoist could not be reached ({(e.InnerException ?? e).GetType().Name})"),
    };

    /// <summary>The wait a 429 asks for: the <c>Retry-After</c> header, else the body's <c>error_extra.retry_after</c>.</summary>
    private TimeSpan RetryAfter(IApiResponse response)
    {
        TimeSpan? wait = response.Headers?.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - time.GetUtcNow(),
            _ => null,
        };

        if (wait is null && response.Error is ApiException { Content: { Length: > 0 } content })
        {
            try
            {
                if (JsonSerializer.Deserialize<TodoistError>(content, TodoistJson.Options)?.ErrorExtra?.RetryAfter is { } seconds)
                {
                    wait = TimeSpan.FromSeconds(seconds);
                }
            }
            catch (JsonException)
            {
                // Not Todoist's error shape; the default wait applies.
            }
        }

        var value = wait ?? _options.DefaultRetryAfter;
        return value < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1)
            : value > _options.MaxRetryAfter ? _options.MaxRetryAfter
            : value;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Todoist {Operation} failed ({Kind}): {Reason}")]
    private static partial void LogFailure(ILogger logger, string operation, TodoistFailureKind kind, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Todoist returned a cursor it had returned before, after page {Page}; stopping there")]
    private static partial void LogRepeatedCursor(ILogger logger, int page);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Todoist tasks stop at the page cap ({MaxPages} pages, {Count} tasks read)")]
    private static partial void LogPageCap(ILogger logger, int maxPages, int count);
}
