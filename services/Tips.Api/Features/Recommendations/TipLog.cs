using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Tips.Api.Data;
using Tips.Contracts;

namespace Tips.Api.Features.Recommendations;

/// <summary>
/// Writes served tips to <c>tip_scores</c> with group commit: the rows of every request waiting at that moment go
/// to Postgres in one transaction, and each request gets its answer once its rows are committed. Under load one
/// commit carries many requests' rows, instead of each request paying for a commit of its own; alone, a request
/// waits for exactly its own commit, as before. When a shared batch fails, each request's rows are tried on their
/// own, so one bad request cannot take the others' tips with it. Rows go in by binary <c>COPY</c>: one statement
/// per commit, with none of the change tracking and SQL generation of an EF insert (docs/performance.md).
/// </summary>
internal sealed partial class TipLog(IDbContextFactory<TipsDbContext> dbs, ILogger<TipLog> logger) : IHostedService
{
    // Enough for a few hundred requests per commit; more would only make one transaction long.
    private const int MaxRowsPerCommit = 1_000;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _lock = new();
    private Task? _writer;

    /// <summary>Completes when <paramref name="rows"/> are committed; throws what the database threw otherwise.</summary>
    public Task AppendAsync(IReadOnlyList<TipScore> rows, CancellationToken cancellationToken)
    {
        var pending = new Pending(rows, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException("The tip log is stopping and accepts no more tips.");
        }
        // A caller that gives up stops waiting; its rows are still written, as they were accepted.
        return pending.Committed.Task.WaitAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        StartWriter();
        return Task.CompletedTask;
    }

    /// <summary>Takes no more tips, and returns once every tip accepted before is written.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        return StartWriter().WaitAsync(cancellationToken);
    }

    private Task StartWriter()
    {
        lock (_lock)
        {
            return _writer ??= Task.Run(WriteAllAsync);
        }
    }

    private async Task WriteAllAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<Pending>();
        while (await reader.WaitToReadAsync())
        {
            var rows = 0;
            while (rows < MaxRowsPerCommit && reader.TryRead(out var pending))
            {
                batch.Add(pending);
                rows += pending.Rows.Count;
            }
            await CommitAsync(batch);
            batch.Clear();
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        try
        {
            await WriteAsync(batch.SelectMany(p => p.Rows));
            batch.ForEach(p => p.Committed.TrySetResult());
            return;
        }
        catch (Exception e) when (batch.Count > 1)
        {
            LogSharedCommitFailed(logger, batch.Count, e.GetType().Name);
        }
        catch (Exception e)
        {
            batch[0].Committed.TrySetException(e);
            return;
        }

        foreach (var pending in batch)
        {
            try
            {
                await WriteAsync(pending.Rows);
                pending.Committed.TrySetResult();
            }
            catch (Exception e)
            {
                pending.Committed.TrySetException(e);
            }
        }
    }

    private async Task WriteAsync(IEnumerable<TipScore> rows)
    {
        // No cancellation: accepted tips are written even while the app shuts down.
        await using var db = await dbs.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        await CopyAsync((NpgsqlConnection)db.Database.GetDbConnection(), rows);
    }

    /// <summary>Writes <paramref name="rows"/> to <c>tip_scores</c> in one binary <c>COPY</c> on an open connection.</summary>
    internal static async Task CopyAsync(NpgsqlConnection connection, IEnumerable<TipScore> rows)
    {
        // COPY is one statement, so it commits all the rows or none; disposing without Complete rolls it back.
        await using var import = await connection.BeginBinaryImportAsync(CopyCommand);
        foreach (var row in rows)
        {
            await WriteRowAsync(import, row);
        }
        await import.CompleteAsync();
    }

    /// <summary>Every column of <c>tip_scores</c>, in the order <see cref="WriteRowAsync"/> writes them.</summary>
    internal static readonly string[] Columns =
    [
        "id", "request_id", "user_id", "served_at", "position", "content", "tip_kind", "tip_source", "task_id",
        "rationale", "prompt_version", "llm_model", "policy", "epsilon", "explored", "propensity", "predicted_reward",
        "candidate_count", "features",
    ];

    private static readonly string CopyCommand = $"COPY tip_scores ({string.Join(", ", Columns)}) FROM STDIN (FORMAT BINARY)";

    private static async Task WriteRowAsync(NpgsqlBinaryImporter import, TipScore row)
    {
        await import.StartRowAsync();
        await import.WriteAsync(row.Id, NpgsqlDbType.Uuid);
        await import.WriteAsync(row.RequestId, NpgsqlDbType.Uuid);
        await import.WriteAsync(row.UserId, NpgsqlDbType.Varchar);
        await import.WriteAsync(row.ServedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
        await import.WriteAsync(row.Position, NpgsqlDbType.Smallint);
        await import.WriteAsync(row.Content, NpgsqlDbType.Text);
        await import.WriteAsync(WireName.Of(row.TipKind), NpgsqlDbType.Varchar);
        await import.WriteAsync(WireName.Of(row.TipSource), NpgsqlDbType.Varchar);
        await WriteNullableAsync(import, row.TaskId);
        await import.WriteAsync(row.Rationale, NpgsqlDbType.Text);
        await WriteNullableAsync(import, row.PromptVersion);
        await WriteNullableAsync(import, row.LlmModel);
        await import.WriteAsync(row.Policy, NpgsqlDbType.Varchar);
        await import.WriteAsync(row.Epsilon, NpgsqlDbType.Double);
        await import.WriteAsync(row.Explored, NpgsqlDbType.Boolean);
        await import.WriteAsync(row.Propensity, NpgsqlDbType.Double);
        await import.WriteAsync(row.PredictedReward, NpgsqlDbType.Double);
        await import.WriteAsync(row.CandidateCount, NpgsqlDbType.Integer);
        await import.WriteAsync(row.Features, NpgsqlDbType.Jsonb);
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter import, string? value)
    {
        if (value is null)
        {
            await import.WriteNullAsync();
        }
        else
        {
            await import.WriteAsync(value, NpgsqlDbType.Varchar);
        }
    }

    private sealed record Pending(IReadOnlyList<TipScore> Rows, TaskCompletionSource Committed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A shared commit of {Requests} requests' tips failed ({ErrorType}); writing each request's tips on its own")]
    private static partial void LogSharedCommitFailed(ILogger logger, int requests, string errorType);
}
