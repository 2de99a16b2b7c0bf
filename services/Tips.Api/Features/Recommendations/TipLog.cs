using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Tips.Api.Data;
using Tips.Contracts;

namespace Tips.Api.Features.Recommendations;

/// <summary>
/// Writes served tips to <c>tip_scores</c> by group commit (<see cref="GroupCommit{TItem,TResult}"/>): the rows of
/// every request waiting at that moment go to Postgres in one transaction, and each request gets its answer once its
/// rows are committed. Rows go in by one prepared statement per commit, with none of the change tracking and SQL
/// generation of an EF insert (docs/performance.md).
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
        await WriteAsync([.. requests.SelectMany(rows => rows)]);
        return [.. requests.Select(rows => rows.Count)];
    }

    private async Task WriteAsync(IReadOnlyList<TipScore> rows)
    {
        // No cancellation: accepted tips are written even while the app shuts down.
        await using var db = await dbs.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        await InsertAsync((NpgsqlConnection)db.Database.GetDbConnection(), rows);
    }

    /// <summary>
    /// Writes <paramref name="rows"/> to <c>tip_scores</c> in one statement, a column per array parameter: one round
    /// trip, where a <c>COPY</c> takes two, and a statement that is prepared once per connection.
    /// </summary>
    internal static async Task InsertAsync(NpgsqlConnection connection, IReadOnlyList<TipScore> rows)
    {
        await using var insert = new NpgsqlCommand(InsertSql, connection)
        {
            Parameters =
            {
                Column(rows, r => r.Id, NpgsqlDbType.Uuid),
                Column(rows, r => r.RequestId, NpgsqlDbType.Uuid),
                Column(rows, r => r.UserId, NpgsqlDbType.Varchar),
                Column(rows, r => r.ServedAt.UtcDateTime, NpgsqlDbType.TimestampTz),
                Column(rows, r => r.Position, NpgsqlDbType.Smallint),
                Column(rows, r => r.Content, NpgsqlDbType.Text),
                Column(rows, r => WireName.Of(r.TipKind), NpgsqlDbType.Varchar),
                Column(rows, r => WireName.Of(r.TipSource), NpgsqlDbType.Varchar),
                Column(rows, r => r.TaskId, NpgsqlDbType.Varchar),
                Column(rows, r => r.Rationale, NpgsqlDbType.Text),
                Column(rows, r => r.PromptVersion, NpgsqlDbType.Varchar),
                Column(rows, r => r.LlmModel, NpgsqlDbType.Varchar),
                Column(rows, r => r.Policy, NpgsqlDbType.Varchar),
                Column(rows, r => r.Epsilon, NpgsqlDbType.Double),
                Column(rows, r => r.Explored, NpgsqlDbType.Boolean),
                Column(rows, r => r.Propensity, NpgsqlDbType.Double),
                Column(rows, r => r.PredictedReward, NpgsqlDbType.Double),
                Column(rows, r => r.CandidateCount, NpgsqlDbType.Integer),
                Column(rows, r => r.Features, NpgsqlDbType.Jsonb),
            },
        };
        await insert.ExecuteNonQueryAsync();
    }

    private static NpgsqlParameter Column<T>(IReadOnlyList<TipScore> rows, Func<TipScore, T> value, NpgsqlDbType type) =>
        new() { Value = rows.Select(value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | type };

    /// <summary>Every column of <c>tip_scores</c>, in the order of <see cref="InsertAsync"/>'s parameters.</summary>
    internal static readonly string[] Columns =
    [
        "id", "request_id", "user_id", "served_at", "position", "content", "tip_kind", "tip_source", "task_id",
        "rationale", "prompt_version", "llm_model", "policy", "epsilon", "explored", "propensity", "predicted_reward",
        "candidate_count", "features",
    ];

    private static readonly string InsertSql =
        $"INSERT INTO tip_scores ({string.Join(", ", Columns)}) " +
        $"SELECT * FROM unnest({string.Join(", ", Columns.Select((_, i) => $"${i + 1}"))})";
}
