using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Tips.Api.Data;
using Tips.Contracts;

namespace Tips.Api.Features.Analytics;

/// <summary>
/// Reads the grouped rewards through the analysts' function <c>analytics.reward_by_variant</c>, so the endpoint and
/// the analysts' SQL always agree. "Now" is the injected clock's, passed as the function's <c>as_of</c>.
/// </summary>
internal sealed class RewardAnalytics(TipsDbContext db, TimeProvider time)
{
    private const string GroupsSql = """
        SELECT llm_model, prompt_version, tip_kind, tip_source, served, pending, decided, with_feedback, timed_out,
               done, dismiss, snooze, helpful, not_helpful, reward_sum, mean_reward, reward_stderr,
               mean_reward_with_feedback, feedback_rate, done_rate, dismiss_rate, snooze_rate, helpful_rate,
               not_helpful_rate, first_served_at, last_served_at
        FROM analytics.reward_by_variant(since => @since, until => @until, feedback_window => @window, as_of => @as_of)
        ORDER BY llm_model, prompt_version NULLS FIRST, tip_kind, tip_source
        """;

    public async Task<RewardAnalyticsResponse> GetAsync(RewardAnalyticsRequest request, CancellationToken cancellationToken)
    {
        var asOf = time.GetUtcNow();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            // One snapshot for the window and the groups; JIT compiling these wide plans costs more than it saves.
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            await using (var setup = new NpgsqlCommand("SET LOCAL jit = off", connection, transaction))
            {
                await setup.ExecuteNonQueryAsync(cancellationToken);
            }

            var window = request.FeedbackWindowHours is { } hours
                ? TimeSpan.FromHours(hours)
                : await DefaultWindowAsync(connection, transaction, cancellationToken);

            await using var command = new NpgsqlCommand(GroupsSql, connection, transaction);
            command.Parameters.Add(Timestamp("since", request.Since));
            command.Parameters.Add(Timestamp("until", request.Until));
            command.Parameters.Add(new NpgsqlParameter("window", NpgsqlDbType.Interval) { Value = window });
            command.Parameters.Add(Timestamp("as_of", asOf));

            var groups = new List<RewardGroup>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    groups.Add(Read(reader));
                }
            }
            await transaction.CommitAsync(cancellationToken);

            return new RewardAnalyticsResponse(asOf, request.Since, request.Until, window.TotalHours, groups);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task<TimeSpan> DefaultWindowAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        CancellationToken cancellationToken)
    {
        // The same default as the analytics functions when the settings row is missing.
        await using var command = new NpgsqlCommand(
            "SELECT coalesce((SELECT feedback_window FROM analytics.settings), interval '24 hours')", connection, transaction);
        return (TimeSpan)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static NpgsqlParameter Timestamp(string name, DateTimeOffset? value) =>
        new(name, NpgsqlDbType.TimestampTz) { Value = value is { } v ? v.ToUniversalTime() : DBNull.Value };

    private static RewardGroup Read(DbDataReader r) => new(
        LlmModel: r.GetString(0),
        PromptVersion: r.IsDBNull(1) ? null : r.GetString(1),
        TipKind: WireName.Parse<TipKind>(r.GetString(2)),
        TipSource: WireName.Parse<TipSource>(r.GetString(3)),
        Served: r.GetInt64(4),
        Pending: r.GetInt64(5),
        Decided: r.GetInt64(6),
        WithFeedback: r.GetInt64(7),
        TimedOut: r.GetInt64(8),
        Done: r.GetInt64(9),
        Dismiss: r.GetInt64(10),
        Snooze: r.GetInt64(11),
        Helpful: r.GetInt64(12),
        NotHelpful: r.GetInt64(13),
        RewardSum: r.GetDouble(14),
        MeanReward: Nullable(r, 15),
        RewardStderr: Nullable(r, 16),
        MeanRewardWithFeedback: Nullable(r, 17),
        FeedbackRate: Nullable(r, 18),
        DoneRate: Nullable(r, 19),
        DismissRate: Nullable(r, 20),
        SnoozeRate: Nullable(r, 21),
        HelpfulRate: Nullable(r, 22),
        NotHelpfulRate: Nullable(r, 23),
        FirstServedAt: r.GetFieldValue<DateTimeOffset>(24),
        LastServedAt: r.GetFieldValue<DateTimeOffset>(25));

    private static double? Nullable(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetDouble(ordinal);
}
