using Microsoft.EntityFrameworkCore;
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

    public static async Task<UserSignals> ReadAsync(
        TipsDbContext db, string userId, TimeZoneInfo zone, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var since = now - Window;
        var served = db.TipScores.Where(s => s.UserId == userId && s.ServedAt >= since);

        var servedCount = await served.CountAsync(cancellationToken);
        var reacted = servedCount == 0
            ? []
            : await db.TipFeedback
                .Where(f => f.UserId == userId
                            && (f.Action == FeedbackAction.Done || f.Action == FeedbackAction.Dismiss)
                            && served.Any(s => s.Id == f.TipId))
                .GroupBy(f => f.Action)
                .Select(g => new { Action = g.Key, Tips = g.Select(f => f.TipId).Distinct().Count() })
                .ToListAsync(cancellationToken);

        var feedback = db.TipFeedback.Where(f => f.UserId == userId && f.CreatedAt >= since);
        var meanDwell = await feedback.Where(f => f.DwellMs != null).AverageAsync(f => (double?)f.DwellMs, cancellationToken);
        var doneAt = await feedback
            .Where(f => f.Action == FeedbackAction.Done)
            .OrderByDescending(f => f.CreatedAt)
            .Select(f => f.CreatedAt)
            .Take(MaxDoneRows)
            .ToListAsync(cancellationToken);

        double Rate(FeedbackAction action) => servedCount == 0
            ? 0
            : Math.Min(1, (double)(reacted.FirstOrDefault(r => r.Action == action)?.Tips ?? 0) / servedCount);

        return new UserSignals(
            Rate(FeedbackAction.Done),
            Rate(FeedbackAction.Dismiss),
            meanDwell,
            PreferredHour(doneAt, zone),
            servedCount);
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
