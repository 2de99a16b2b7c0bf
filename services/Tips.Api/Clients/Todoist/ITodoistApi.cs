using Refit;

namespace Tips.Api.Clients.Todoist;

/// <summary>
/// Todoist API v1 (the only live Todoist API), as far as Tips needs it. Calls answer an
/// <see cref="IApiResponse{T}"/> so that 401/403/429/5xx come back as values to classify, not exceptions.
/// </summary>
internal interface ITodoistApi
{
    /// <summary>One page of the person's active tasks; follow <c>next_cursor</c> with the same parameters.</summary>
    [Get("/tasks")]
    Task<IApiResponse<TodoistPage<TodoistTask>>> GetTasksAsync(
        [Query] int limit,
        [Query] string? cursor,
        [Authorize("Bearer")] string token,
        CancellationToken cancellationToken);

    /// <summary>The account behind the token: a cheap token check, and the person's timezone.</summary>
    [Get("/user")]
    Task<IApiResponse<TodoistUser>> GetUserAsync([Authorize("Bearer")] string token, CancellationToken cancellationToken);
}
