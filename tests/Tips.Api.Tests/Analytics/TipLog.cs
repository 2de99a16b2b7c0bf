using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Tips.Api.Data;
using Tips.Contracts;
using Tips.Migrations;
using Tips.TestSupport;

namespace Tips.Api.Tests.Analytics;

/// <summary>A served tip as the recommender logs it in tip_scores.</summary>
public sealed record ServedTip
{
    public Guid Id { get; init; } = Guid.NewGuid();
    public Guid RequestId { get; init; } = Guid.NewGuid();
    public string UserId { get; init; } = "ana";
    public required DateTimeOffset ServedAt { get; init; }
    public short Position { get; init; }
    public string Content { get; init; } = "A tip";
    public string? TaskId { get; init; }
    public TipKind Kind { get; init; } = TipKind.Task;
    public TipSource Source { get; init; } = TipSource.TaskDirect;
    public string? PromptVersion { get; init; }
    public string? LlmModel { get; init; }
    public string Policy { get; init; } = "egreedy-test";
    public double Epsilon { get; init; } = 0.1;
    public bool Explored { get; init; }
    public double Propensity { get; init; } = 1;
    public double PredictedReward { get; init; }
    public int CandidateCount { get; init; } = 1;

    /// <summary>The features jsonb; by default just the scored vector (no pool logged).</summary>
    public string Features { get; init; } = """{"x": {"bias": 1}}""";

    /// <summary>
    /// Features as the recommender logs them (TipsRecommender's LoggedFeatures): the scored vector, the pool the tip
    /// was chosen from as counts by kind and source (a kind the pool lacks is absent), and the candidates left.
    /// </summary>
    public static string FeaturesWithPool(IEnumerable<TipCandidate> candidates)
    {
        var pool = candidates.ToList();
        return JsonSerializer.Serialize(new
        {
            x = new Dictionary<string, double> { ["bias"] = 1 },
            pool = new
            {
                k = pool.Count,
                kinds = pool.GroupBy(c => WireName.Of(c.Kind)).ToDictionary(g => g.Key, g => g.Count()),
                sources = pool.GroupBy(c => WireName.Of(c.Source)).ToDictionary(g => g.Key, g => g.Count()),
            },
            remaining = pool.Count,
        });
    }
}

/// <summary>A feedback post as Tips.Api stores it in tip_feedback.</summary>
public sealed record PostedFeedback(Guid TipId, FeedbackAction Action, int RewardMilli, DateTimeOffset CreatedAt, long? DwellMs = null,
    string UserId = "ana");

/// <summary>Writes logs straight into a test database (the tip log's insert, and COPY for feedback), and opens it as the owner or the analyst.</summary>
public static class TipLog
{
    public const string AnalystPassword = "analyst-pass";

    /// <summary>The rewards of design.md "Rewards", in thousandths.</summary>
    public static int RewardMilli(FeedbackAction action, long? dwellMs = null) => action switch
    {
        FeedbackAction.Done => dwellMs switch { null => 600, < 15_000 => -300, <= 120_000 => 1_000, <= 600_000 => 600, _ => 300 },
        FeedbackAction.Snooze => 100,
        FeedbackAction.Dismiss => -1_000,
        FeedbackAction.Helpful => 500,
        _ => -500,
    };

    public static async Task WriteAsync(string connectionString, IEnumerable<ServedTip> tips, IEnumerable<PostedFeedback>? feedback = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();

        await Features.Recommendations.TipLog.InsertAsync(connection, [.. tips.Select(t => new TipScore
        {
            Id = t.Id,
            RequestId = t.RequestId,
            UserId = t.UserId,
            ServedAt = t.ServedAt,
            Position = t.Position,
            Content = t.Content,
            TipKind = t.Kind,
            TaskId = t.TaskId,
            TipSource = t.Source,
            Rationale = "because",
            PromptVersion = t.PromptVersion,
            LlmModel = t.LlmModel,
            Policy = t.Policy,
            Epsilon = t.Epsilon,
            Explored = t.Explored,
            Propensity = t.Propensity,
            PredictedReward = t.PredictedReward,
            CandidateCount = t.CandidateCount,
            Features = t.Features,
        })]);

        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY tip_feedback (tip_id, user_id, action, dwell_ms, reward_milli, created_at) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var f in feedback ?? [])
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(f.TipId, NpgsqlDbType.Uuid);
                await copy.WriteAsync(f.UserId, NpgsqlDbType.Varchar);
                await copy.WriteAsync(WireName.Of(f.Action), NpgsqlDbType.Varchar);
                if (f.DwellMs is { } dwell)
                {
                    await copy.WriteAsync(dwell, NpgsqlDbType.Bigint);
                }
                else
                {
                    await copy.WriteNullAsync();
                }
                await copy.WriteAsync(f.RewardMilli, NpgsqlDbType.Integer);
                await copy.WriteAsync(f.CreatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
            }
            await copy.CompleteAsync();
        }

        // Fresh statistics, as autovacuum would give a real table: the plans under test are the real ones.
        await using var analyze = new NpgsqlCommand("ANALYZE tip_scores, tip_feedback", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>A connection string for <c>tips_analyst</c> on the same database (LOGIN given by the migrator).</summary>
    public static async Task<string> AnalystConnectionStringAsync(string ownerConnectionString)
    {
        await GiveAnalystLoginAsync(ownerConnectionString);
        var server = await PostgresServer.SharedAsync();
        var database = new NpgsqlConnectionStringBuilder(ownerConnectionString).Database!;
        return new NpgsqlConnectionStringBuilder(server.ConnectionStringFor(database, "tips_analyst"))
        {
            Password = AnalystPassword,
            // The migration turns JIT off for the analyst per database; a test database is a copy of the migrated
            // template, under another name, so the setting is repeated here.
            Options = "-c jit=off",
        }.ConnectionString;
    }

    private static readonly SemaphoreSlim LoginLock = new(1, 1);
    private static bool _loginGiven;

    /// <summary>
    /// The role is cluster-wide: give it LOGIN once per test process (through the migrator, as production does).
    /// Concurrent ALTER ROLEs of one role can fail with "tuple concurrently updated", so a clash is retried.
    /// </summary>
    private static async Task GiveAnalystLoginAsync(string ownerConnectionString)
    {
        await LoginLock.WaitAsync();
        try
        {
            for (var attempt = 1; !_loginGiven; attempt++)
            {
                try
                {
                    await Migrator.MigrateAsync(ownerConnectionString, AnalystPassword, TimeSpan.FromSeconds(10));
                    _loginGiven = true;
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InternalError && attempt < 5)
                {
                    await Task.Delay(50 * attempt);
                }
            }
        }
        finally
        {
            LoginLock.Release();
        }
    }

    /// <summary>Runs <paramref name="sql"/> and returns every row as column name → value (DBNull as null).</summary>
    public static async Task<List<Dictionary<string, object?>>> QueryAsync(string connectionString, string sql,
        params (string Name, object? Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter(name, value ?? DBNull.Value));
        }
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, object?>>();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            rows.Add(row);
        }
        return rows;
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
