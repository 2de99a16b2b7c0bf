using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Tips.Api.Data;
using Tips.Contracts;

namespace Tips.Api.Features.Recommendations;

/// <summary>
/// Writes served tips to <c>tip_scores</c> by group commit (<see cref="GroupCommit{TItem,TResult}"/>): the rows of
/// every request waiting at that moment go to Postgres in one transaction, and each request gets its answer once its
/// rows are committed. Rows go in by binary <c>COPY</c>: one statement per commit, with none of the change tracking
/// and SQL generation of an EF insert (docs/performance.md).
/// </summary>
internal sealed class TipLog(IDbContextFactory<TipsDbContext> dbs, ILogger<TipLog> logger)
    : GroupCommit<IReadOnlyList<TipScore>, int>(logger)
{
    // Enough for a few hundred requests per commit.
    protected override int MaxSizePerCommit => 1_000;

    protected override int SizeOf(IReadOnlyList<TipScore> rows) => rows.Count;

    /// <summary>Completes when <paramref name="rows"/> are committed; throws what the database threw otherwise.</summary>
    public Task AppendAsync(IReadOnlyList<TipScore> rows, CancellationToken cancellationToken) =>
        SubmitAsync(rows, cancellationToken);

    protected override async Task<IReadOnlyList<int>> CommitAsync(IReadOnlyList<IReadOnlyList<TipScore>> requests)
    {
        await WriteAsync(requests.SelectMany(rows => rows));
        return [.. requests.Select(rows => rows.Count)];
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
}
