using Tips.Api.Features.Context;

namespace Tips.Api.Tests.Context;

public sealed class DueDatesTests
{
    private static readonly TimeZoneInfo Madrid = TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid");
    private static readonly TimeZoneInfo LosAngeles = TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles");
    private static readonly TimeZoneInfo Auckland = TimeZoneInfo.FindSystemTimeZoneById("Pacific/Auckland");

    // Monday 2 March 2026, 11:00 in Madrid.
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, 0)]
    [InlineData("", 0)]
    [InlineData("soon", 0)]
    [InlineData("2026-13-45", 0)]
    [InlineData("2026-03-09", 0)] // next week
    [InlineData("2026-03-02", 0)] // today: not overdue until the day ends
    [InlineData("2026-03-01", 1)]
    [InlineData("2026-02-28", 2)]
    [InlineData("2026-01-31", 30)]
    [InlineData("2026-01-30", 30)] // 31 days, clipped
    [InlineData("2024-12-25", 30)] // long ago, clipped
    [InlineData("2026-03-02T10:30:00", 0)] // floating, earlier today (10:30 in Madrid is past): overdue, but 0 days
    [InlineData("2026-03-02T12:00:00", 0)] // floating, later today
    [InlineData("2026-03-01T23:59:00", 1)] // floating, late yesterday
    [InlineData("2026-02-27T09:00:00Z", 3)] // fixed UTC
    [InlineData("2026-02-27T09:00:00.000000Z", 3)] // fixed, with fractions
    [InlineData("2026-03-03T14:30:00Z", 0)] // fixed, tomorrow
    public void Due_age_is_whole_days_past_due_clipped_to_0_30(string? due, int expected) =>
        Assert.Equal(expected, DueDates.DueAgeDays(due, Now, Madrid));

    [Fact]
    public void An_all_day_task_is_overdue_only_once_its_day_has_ended_where_the_person_is()
    {
        // 2026-03-02T06:30Z is still 1 March in Los Angeles, already 2 March in UTC and in Auckland.
        var now = new DateTimeOffset(2026, 3, 2, 6, 30, 0, TimeSpan.Zero);
        var due = "2026-03-01";

        Assert.Equal(0, DueDates.DueAgeDays(due, now, LosAngeles));
        Assert.False(DueDates.IsOverdue(DueDates.Parse(due, LosAngeles)!.Value, now, LosAngeles));
        Assert.Equal(1, DueDates.DueAgeDays(due, now, TimeZoneInfo.Utc));
        Assert.Equal(1, DueDates.DueAgeDays(due, now, Auckland));
    }

    [Fact]
    public void A_floating_time_is_read_on_the_persons_wall_clock()
    {
        var due = DueDates.Parse("2026-03-02T09:00:00", Madrid)!.Value;

        Assert.Equal(new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero), due.Instant);
        Assert.Equal(new DateOnly(2026, 3, 2), due.LocalDate);
    }

    [Fact]
    public void A_fixed_time_is_UTC_and_falls_on_the_persons_own_date()
    {
        // 03:00 UTC on 3 March is still the evening of 2 March in Los Angeles.
        var due = DueDates.Parse("2026-03-03T03:00:00Z", LosAngeles)!.Value;

        Assert.Equal(new DateTimeOffset(2026, 3, 3, 3, 0, 0, TimeSpan.Zero), due.Instant);
        Assert.Equal(new DateOnly(2026, 3, 2), due.LocalDate);
    }

    [Fact]
    public void A_wall_time_skipped_by_daylight_saving_lands_just_after_the_jump()
    {
        // Madrid jumps from 02:00 to 03:00 on 29 March 2026; 02:30 does not exist there.
        var due = DueDates.Parse("2026-03-29T02:30:00", Madrid)!.Value;

        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 30, 0, TimeSpan.Zero), due.Instant);
    }

    [Fact]
    public void A_repeated_wall_time_is_its_first_occurrence()
    {
        // Madrid goes back from 03:00 to 02:00 on 25 October 2026; 02:30 happens twice.
        var due = DueDates.Parse("2026-10-25T02:30:00", Madrid)!.Value;

        Assert.Equal(new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero), due.Instant);
    }

    [Fact]
    public void Unknown_zones_fall_back_to_UTC()
    {
        Assert.Equal(TimeZoneInfo.Utc, TimeZones.OrUtc(null));
        Assert.Equal(TimeZoneInfo.Utc, TimeZones.OrUtc("Mars/Olympus_Mons"));
        Assert.Equal("Europe/Madrid", TimeZones.OrUtc("Europe/Madrid").Id);
    }
}
