using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Tips.Api.Capacity;
using Tips.Api.Clients.Todoist;
using Tips.Api.Data;
using Tips.Api.Features.Integrations;
using Tips.Contracts;

namespace Tips.Api.Features.Context;

/// <summary>A person's tasks for one context, where they came from, and from when Todoist may be asked again (the
/// snapshot's TTL or the back-off ends; null: not until something else changes, such as a new token).</summary>
internal sealed record SourcedTasks(IReadOnlyList<SnapshotTask> Tasks, TasksOrigin Origin, DateTimeOffset? RecheckAt = null);

/// <summary>
/// A person's open Todoist tasks through their snapshot in Postgres: a snapshot younger than the TTL is used as it
/// is; otherwise Todoist is asked (within the deadline) unless the token is known to be invalid or the person is in
/// back-off (<c>retry_not_before</c>, set from a 429's Retry-After or after a failure). When Todoist fails, the last
/// good snapshot is used. All state is per person, in their own rows: no lock or breaker is shared between people.
/// </summary>
internal sealed partial class TodoistTaskSource(
    TodoistClient todoist,
    TodoistTokenProtector protector,
    WorkSlot slot,
    IOptions<TodoistOptions> options,
    TimeProvider time,
    ILogger<TodoistTaskSource> logger)
{
    private readonly TodoistOptions _options = options.Value;

    public async Task<SourcedTasks> GetAsync(TipsDbContext db, string userId, CancellationToken cancellationToken)
    {
        var integration = await db.TodoistIntegrations.AsNoTracking()
            .Where(i => i.UserId == userId)
            .Select(i => new { i.TokenCiphertext, i.TokenStatus })
            .FirstOrDefaultAsync(cancellationToken);
        if (integration is null)
        {
            return new SourcedTasks([], TasksOrigin.NotConnected);
        }

        var snapshot = await db.TaskSnapshots.AsNoTracking()
            .Where(s => s.UserId == userId)
            .Select(s => new { s.Tasks, s.FetchedAt, s.RetryNotBefore })
            .FirstOrDefaultAsync(cancellationToken);
        var lastGood = snapshot?.FetchedAt is null ? [] : SnapshotTask.TryDeserialize(snapshot.Tasks) ?? [];

        var now = time.GetUtcNow();
        if (snapshot?.FetchedAt is { } fetchedAt && now - fetchedAt < _options.SnapshotTtl)
        {
            return new SourcedTasks(lastGood, TasksOrigin.Cached, fetchedAt + _options.SnapshotTtl);
        }
        if (integration.TokenStatus == TokenStatus.Invalid)
        {
            return Stale(userId, lastGood, "the stored token was refused by Todoist");
        }
        if (snapshot?.RetryNotBefore is { } notBefore && now < notBefore)
        {
            return Stale(userId, lastGood, "Todoist asked to wait, or failed recently", notBefore);
        }
        if (protector.TryUnprotect(integration.TokenCiphertext) is not { } token)
        {
            return Stale(userId, lastGood, "the stored token cannot be decrypted (its Data Protection key is gone)");
        }

        // Waiting on Todoist is not work on this machine: let another request have the slot.
        slot.GiveBack();
        var outcome = await FetchWithinDeadlineAsync(token, cancellationToken);
        var at = time.GetUtcNow();
        if (outcome.Succeeded)
        {
            var tasks = outcome.Value.Select(SnapshotTask.From).ToList();
            await RecordSuccessAsync(db, userId, integration.TokenCiphertext, tasks, at, cancellationToken);
            return new SourcedTasks(tasks, TasksOrigin.Fresh, at + _options.SnapshotTtl);
        }

        var retryNotBefore = await RecordFailureAsync(db, userId, integration.TokenCiphertext, outcome.Failure, at, cancellationToken);
        return Stale(userId, lastGood, outcome.Failure.Reason, retryNotBefore);
    }

    private async Task<TodoistOutcome<IReadOnlyList<TodoistTask>>> FetchWithinDeadlineAsync(string token, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_options.Deadline, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await todoist.GetActiveTasksAsync(token, linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TodoistOutcome<IReadOnlyList<TodoistTask>>.Failed(new TodoistFailure(TodoistFailureKind.Unavailable,
                $"Todoist did not answer within the {_options.Deadline.TotalSeconds:0.#} s deadline"));
        }
    }

    private SourcedTasks Stale(string userId, IReadOnlyList<SnapshotTask> lastGood, string reason, DateTimeOffset? recheckAt = null)
    {
        LogStale(logger, userId, lastGood.Count, reason);
        return new SourcedTasks(lastGood, TasksOrigin.Stale, recheckAt);
    }

    // Both writes apply only while the token used is still the stored one: a token replaced or removed meanwhile
    // must not get the old token's tasks or status.
    private const string StillStored =
        "EXISTS (SELECT 1 FROM todoist_integrations WHERE user_id = @user AND token_ciphertext = @ciphertext)";

    private static Task RecordSuccessAsync(
        TipsDbContext db, string userId, string ciphertext, IReadOnlyList<SnapshotTask> tasks, DateTimeOffset at, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync(
            $"""
            INSERT INTO task_snapshots (user_id, tasks, fetched_at, last_attempt_at, last_error, retry_not_before)
            SELECT @user, @tasks, @at, @at, NULL, NULL WHERE {StillStored}
            ON CONFLICT (user_id) DO UPDATE SET
                tasks = EXCLUDED.tasks, fetched_at = EXCLUDED.fetched_at, last_attempt_at = EXCLUDED.last_attempt_at,
                last_error = NULL, retry_not_before = NULL;
            UPDATE todoist_integrations SET token_status = @valid, checked_at = @at, updated_at = @at
            WHERE user_id = @user AND token_ciphertext = @ciphertext;
            """,
            [
                Parameter("user", userId, NpgsqlDbType.Text),
                Parameter("ciphertext", ciphertext, NpgsqlDbType.Text),
                Parameter("tasks", SnapshotTask.Serialize(tasks), NpgsqlDbType.Jsonb),
                Parameter("at", at, NpgsqlDbType.TimestampTz),
                Parameter("valid", WireName.Of(TokenStatus.Valid), NpgsqlDbType.Text),
            ],
            cancellationToken);

    /// <returns>When Todoist may be asked again; null when the token was refused.</returns>
    private async Task<DateTimeOffset?> RecordFailureAsync(
        TipsDbContext db, string userId, string ciphertext, TodoistFailure failure, DateTimeOffset at, CancellationToken cancellationToken)
    {
        // 401/403 are Todoist's answer about the token; 429, 5xx and no answer leave its status unknown.
        var (status, answered, retryNotBefore) = failure.Kind switch
        {
            TodoistFailureKind.InvalidToken => (TokenStatus.Invalid, true, (DateTimeOffset?)null),
            TodoistFailureKind.RateLimited => (TokenStatus.Unknown, false, at + (failure.RetryAfter ?? _options.DefaultRetryAfter)),
            _ => (TokenStatus.Unknown, false, at + _options.FailureBackoff),
        };

        await db.Database.ExecuteSqlRawAsync(
            $"""
            INSERT INTO task_snapshots (user_id, tasks, fetched_at, last_attempt_at, last_error, retry_not_before)
            SELECT @user, '[]'::jsonb, NULL, @at, @error, @retry WHERE {StillStored}
            ON CONFLICT (user_id) DO UPDATE SET
                last_attempt_at = EXCLUDED.last_attempt_at, last_error = EXCLUDED.last_error,
                retry_not_before = EXCLUDED.retry_not_before;
            UPDATE todoist_integrations
            SET token_status = @status, checked_at = CASE WHEN @answered THEN @at ELSE checked_at END, updated_at = @at
            WHERE user_id = @user AND token_ciphertext = @ciphertext;
            """,
            [
                Parameter("user", userId, NpgsqlDbType.Text),
                Parameter("ciphertext", ciphertext, NpgsqlDbType.Text),
                Parameter("at", at, NpgsqlDbType.TimestampTz),
                Parameter("error", failure.Reason.Length > 500 ? failure.Reason[..500] : failure.Reason, NpgsqlDbType.Text),
                Parameter("retry", retryNotBefore, NpgsqlDbType.TimestampTz),
                Parameter("status", WireName.Of(status), NpgsqlDbType.Text),
                Parameter("answered", answered, NpgsqlDbType.Boolean),
            ],
            cancellationToken);
        return retryNotBefore;
    }

    private static NpgsqlParameter Parameter(string name, object? value, NpgsqlDbType type) =>
        new(name, type) { Value = value ?? DBNull.Value };

    [LoggerMessage(Level = LogLevel.Information, Message = "Tasks of user {UserId} come from the last good snapshot ({Count} tasks): {Reason}")]
    private static partial void LogStale(ILogger logger, string userId, int count, string reason);
}
