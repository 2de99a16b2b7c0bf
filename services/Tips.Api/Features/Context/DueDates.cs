using System.Globalization;
using System.Text.RegularExpressions;

namespace Tips.Api.Features.Context;

/// <summary>When a task is due, read in the person's timezone.</summary>
/// <param name="LocalDate">The due day on the person's calendar.</param>
/// <param name="Instant">The due moment; null for an all-day task.</param>
internal readonly record struct DueMoment(DateOnly LocalDate, DateTimeOffset? Instant)
{
    public bool IsAllDay => Instant is null;
}

/// <summary>
/// Todoist's three <c>due.date</c> forms, as pure functions of the date string, the moment and the person's zone:
/// <c>YYYY-MM-DD</c> is all day (overdue only once that day has ended where the person is);
/// <c>YYYY-MM-DDTHH:MM:SS</c> without an offset is floating (the person's wall clock);
/// with <c>Z</c> (or an offset) it is a fixed moment.
/// </summary>
internal static partial class DueDates
{
    public const int MaxDueAgeDays = 30;

    /// <summary>
    /// Whole days past due, clipped to 0..<see cref="MaxDueAgeDays"/>: the number of calendar days in
    /// <paramref name="zone"/> from the due day to today. 0 for no (or an unreadable) due date, a future one, or a
    /// task due earlier today. Pure: the same arguments always give the same answer.
    /// </summary>
    public static int DueAgeDays(string? due, DateTimeOffset now, TimeZoneInfo zone) =>
        Parse(due, zone) is { } moment ? DueAgeDays(moment, now, zone) : 0;

    public static int DueAgeDays(DueMoment due, DateTimeOffset now, TimeZoneInfo zone) =>
        DueAgeDays(due, now, Today(now, zone));

    /// <param name="today">The person's calendar day at <paramref name="now"/> (<see cref="Today"/>).</param>
    public static int DueAgeDays(DueMoment due, DateTimeOffset now, DateOnly today) =>
        IsOverdue(due, now, today) ? Math.Clamp(today.DayNumber - due.LocalDate.DayNumber, 0, MaxDueAgeDays) : 0;

    public static bool IsOverdue(DueMoment due, DateTimeOffset now, TimeZoneInfo zone) =>
        IsOverdue(due, now, Today(now, zone));

    /// <param name="today">The person's calendar day at <paramref name="now"/> (<see cref="Today"/>).</param>
    public static bool IsOverdue(DueMoment due, DateTimeOffset now, DateOnly today) =>
        due.Instant is { } instant ? instant < now : due.LocalDate < today;

    public static DateOnly Today(DateTimeOffset now, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);

    /// <summary>Reads a <c>due.date</c>; null when there is none or it is in no form Todoist uses.</summary>
    public static DueMoment? Parse(string? due, TimeZoneInfo zone)
    {
        if (string.IsNullOrWhiteSpace(due))
        {
            return null;
        }

        var text = due.Trim();
        if (text.Length == 10)
        {
            return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                ? new DueMoment(day, null)
                : null;
        }

        var timeStart = text.IndexOfAny(['T', 't', ' ']);
        if (timeStart != 10)
        {
            return null;
        }

        if (ZoneSuffix().IsMatch(text.AsSpan(timeStart)))
        {
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var fixedAt))
            {
                return null;
            }
            return new DueMoment(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(fixedAt, zone).DateTime), fixedAt);
        }

        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var wallClock))
        {
            return null;
        }
        return new DueMoment(DateOnly.FromDateTime(wallClock), AtWallClock(wallClock, zone));
    }

    /// <summary>
    /// The moment a wall-clock time in <paramref name="zone"/> happens. A time skipped by a daylight-saving jump is
    /// read with the offset from before the jump (so it lands just after it); a repeated one is its first occurrence.
    /// </summary>
    public static DateTimeOffset AtWallClock(DateTime wallClock, TimeZoneInfo zone)
    {
        var local = DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            return new DateTimeOffset(local, zone.GetUtcOffset(local.AddHours(-6)));
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }

    /// <summary>The time part ends in <c>Z</c> or a numeric offset (<c>+01:00</c>, <c>-0500</c>).</summary>
    [GeneratedRegex(@"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$")]
    private static partial Regex ZoneSuffix();
}
