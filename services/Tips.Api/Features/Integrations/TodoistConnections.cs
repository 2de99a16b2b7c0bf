using Microsoft.EntityFrameworkCore;
using Tips.Api.Clients.Todoist;
using Tips.Api.Data;
using Tips.Api.Features.Context;
using Tips.Contracts;

namespace Tips.Api.Features.Integrations;

internal enum ConnectOutcome
{
    /// <summary>The person had no Todoist token before.</summary>
    Created,

    /// <summary>A stored token was replaced.</summary>
    Replaced,

    /// <summary>Todoist refused the token (401/403); nothing was stored.</summary>
    Rejected,
}

internal sealed record ConnectResult(ConnectOutcome Outcome, IntegrationStatus Status);

/// <summary>
/// A person's Todoist connection: check a token against Todoist, store it encrypted, forget it, report its status.
/// </summary>
internal sealed partial class TodoistConnections(
    TipsDbContext db,
    TodoistClient todoist,
    TodoistTokenProtector protector,
    ContextCache contexts,
    TimeProvider time,
    ILogger<TodoistConnections> logger)
{
    public const string Provider = "todoist";

    public static IntegrationStatus Missing { get; } = new(Provider, false, TokenStatus.Missing, null);

    public async Task<IntegrationStatus> StatusAsync(string userId, CancellationToken cancellationToken)
    {
        var row = await db.TodoistIntegrations.AsNoTracking()
            .Where(i => i.UserId == userId)
            .Select(i => new { i.TokenStatus, i.CheckedAt })
            .FirstOrDefaultAsync(cancellationToken);
        return row is null ? Missing : new IntegrationStatus(Provider, true, row.TokenStatus, row.CheckedAt);
    }

    /// <summary>
    /// Checks <paramref name="token"/> with Todoist's <c>GET /user</c>. Valid: stored, with the person's timezone.
    /// Refused (401/403): nothing changes. No answer (unreachable, 429, 5xx, timeout): stored as <c>unknown</c>, to
    /// be checked by the next task fetch.
    /// </summary>
    public async Task<ConnectResult> ConnectAsync(string userId, string token, CancellationToken cancellationToken)
    {
        var check = await todoist.GetAccountAsync(token, cancellationToken);
        if (check.Failure is { Kind: TodoistFailureKind.InvalidToken })
        {
            LogRejected(logger, userId);
            return new ConnectResult(ConnectOutcome.Rejected, await StatusAsync(userId, cancellationToken));
        }

        var now = time.GetUtcNow();
        var status = check.Succeeded ? TokenStatus.Valid : TokenStatus.Unknown;
        DateTimeOffset? checkedAt = check.Succeeded ? now : null;
        var ciphertext = protector.Protect(token);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.TouchAsync(userId, now, cancellationToken);
        var existed = await db.TodoistIntegrations.AnyAsync(i => i.UserId == userId, cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"""
            INSERT INTO todoist_integrations (user_id, token_ciphertext, token_status, checked_at, connected_at, updated_at)
            VALUES ({userId}, {ciphertext}, {WireName.Of(status)}, CAST({checkedAt} AS timestamptz), {now}, {now})
            ON CONFLICT (user_id) DO UPDATE SET
                token_ciphertext = EXCLUDED.token_ciphertext,
                token_status = EXCLUDED.token_status,
                checked_at = EXCLUDED.checked_at,
                updated_at = EXCLUDED.updated_at
            """,
            cancellationToken);

        if (check.Value?.Timezone is { } zone && TimeZones.TryFind(zone) is not null)
        {
            await db.Users.Where(u => u.Id == userId)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.Timezone, zone), cancellationToken);
        }

        // A new token may belong to another Todoist account: the old snapshot is not this token's tasks.
        await db.TaskSnapshots.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        contexts.Forget(userId);

        LogConnected(logger, userId, WireName.Of(status));
        return new ConnectResult(existed ? ConnectOutcome.Replaced : ConnectOutcome.Created,
            new IntegrationStatus(Provider, true, status, checkedAt));
    }

    /// <summary>Forgets the token and the tasks read with it. Idempotent.</summary>
    public async Task DisconnectAsync(string userId, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.TaskSnapshots.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        var removed = await db.TodoistIntegrations.Where(i => i.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        contexts.Forget(userId);
        if (removed > 0)
        {
            LogDisconnected(logger, userId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Todoist token of user {UserId} refused by Todoist; nothing stored")]
    private static partial void LogRejected(ILogger logger, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Todoist token of user {UserId} stored with status {TokenStatus}")]
    private static partial void LogConnected(ILogger logger, string userId, string tokenStatus);

    [LoggerMessage(Level = LogLevel.Information, Message = "Todoist token of user {UserId} removed")]
    private static partial void LogDisconnected(ILogger logger, string userId);
}
