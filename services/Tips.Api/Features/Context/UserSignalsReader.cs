using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Tips.Api.Data;
using Tips.Contracts;

namespace Tips.Api.Features.Context;

/// <summary>
/// A person's signals from their own history (<c>tip_scores</c>, <c>tip_feedback</c>) over the last 30 days:
/// <list type="bullet">
/// <item>tips served: <c>tip_scores</c> rows served to them in the window;</item>
/// <item>completion rate: of those served tips, the share with a <c>done</c> feedback (done / served);</item>
/// <item>dismiss rate: of those served tips, the share with a <c>dismiss</c> feedback (dismiss / served);</item>
/// <item>mean dwell: the mean <c>dwell_ms</c> of their feedback in the window that carried one (any action);</item>
/// <item>preferred hour: the hour of their local day (their timezone now) with the most <c>done</c> feedback in
/// the window; ties go to the earlier hour.</item>
/// </list>
/// Rates are 0 when nothing was served; mean dwell and preferred hour are null without history.
/// </summary>
internal static class UserSignalsReader
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(30);

    // Bounds the rows read for the preferred hour; far more than anyone's month of feedback.
    private const int MaxDoneRows = 10_000;

    // One round trip for all of it: these are read whenever a person's context is read again (after their feedback,
    // or when the cache expires), so four statements here were a large share of the context's database work.
    private const string Sql = """
        WITH served AS (
            SELECT id FROM tip_scores WHERE user_id = @user AND served_at >= @since
        )
        SELECT
            (SELECT count(*) FROM served),
            (SELECT count(DISTINCT f.tip_id) FROM tip_feedback f
              WHERE f.user_id = @user AND f.action = @done AND f.tip_id IN (SELECT id FROM served)),
            (SELECT count(DISTINCT f.tip_id) FROM tip_feedback f
              WHERE f.user_id = @user AND f.action = @dismiss AND f.tip_id IN (SELECT id FROM served)),
            (SELECT avg(f.dwell_ms::double precision) FROM tip_feedback f
              WHERE f.user_id = @user AND f.created_at >= @since AND f.dwell_ms IS NOT NULL),
            ARRAY(SELECT f.created_at FROM tip_feedback f
              WHERE f.user_id = @user AND f.created_at >= @since AND f.action = @done
              ORDER BY f.created_at DESC LIMIT @max_done)
        """;

    public static async Task<UserSignals> ReadAsync(
        TipsDbContext db, string userId, TimeZoneInfo zone, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(Sql, (NpgsqlConnection)db.Database.GetDbConnection());
        command.Parameters.Add(new NpgsqlParameter("user", NpgsqlDbType.Varchar) { Value = userId });
        command.Parameters.Add(new NpgsqlParameter("since", NpgsqlDbType.TimestampTz) { Value = (now - Window).UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter("done", NpgsqlDbType.Varchar) { Value = WireName.Of(FeedbackAction.Done) });
        command.Parameters.Add(new NpgsqlParameter("dismiss", NpgsqlDbType.Varchar) { Value = WireName.Of(FeedbackAction.Dismiss) });
        command.Parameters.Add(new NpgsqlParameter("max_done", NpgsqlDbType.Integer) { Value = MaxDoneRows });

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var served = reader.GetInt64(0);
        var done = reader.GetInt64(1);
        var dismissed = reader.GetInt64(2);
        double? meanDwell = reader.IsDBNull(3) ? null : reader.GetDouble(3);
        var doneAt = reader.GetFieldValue<DateTime[]>(4).Select(t => new DateTimeOffset(t, TimeSpan.Zero));

        double Rate(long tips) => served == 0 ? 0 : Math.Min(1, (double)tips / served);

        return new UserSignals(Rate(done), Rate(dismissed), meanDwell, PreferredHour(doneAt, zone), (int)served);
    }

    /// <summary>The local hour (0..23) with the most of <paramref name="doneAt"/>; ties to the earlier hour.</summary>
    public static int? PreferredHour(IEnumerable<DateTimeOffset> doneAt, TimeZoneInfo zone) =>
        doneAt
            .GroupBy(t => TimeZoneInfo.ConvertTime(t, zone).Hour)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key)
            .Select(g => (int?)g.Key)
            .FirstOrDefault();
}
