using Tips.Api.Features.Context;
using Tips.Api.Tests.Integrations;

namespace Tips.Api.Tests.Context;

/// <summary>Signals from <c>tip_scores</c> and <c>tip_feedback</c> rows (written by the recommender; inserted here).</summary>
public sealed class UserSignalsTests : TodoistApiTest
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private async Task<Guid> ServedAsync(string user, DateTimeOffset servedAt)
    {
        var id = Guid.NewGuid();
        await ExecuteAsync(
            """
            INSERT INTO tip_scores (id, request_id, user_id, served_at, position, content, tip_kind, tip_source, rationale,
                policy, epsilon, explored, propensity, predicted_reward, candidate_count, features)
            VALUES ($1, $1, $2, $3, 0, 'Do the thing', 'task', 'task_direct', 'why', 'egreedy-v1', 0.1, false, 0.9, 0.5, 3, '{}')
            """,
            id, user, servedAt);
        return id;
    }

    private Task FeedbackAsync(Guid tip, string user, string action, DateTimeOffset at, long? dwellMs = null) =>
        ExecuteAsync(
            "INSERT INTO tip_feedback (tip_id, user_id, action, dwell_ms, reward_milli, created_at) VALUES ($1, $2, $3, $4, 0, $5)",
            tip, user, action, dwellMs is null ? DBNull.Value : dwellMs.Value, at);

    [Fact]
    public async Task Rates_dwell_preferred_hour_and_count_come_from_the_last_30_days_in_the_persons_zone()
    {
        Todoist.Account("signals-token-0123456789").Tasks.Clear();
        (await ConnectAsync("ana", "signals-token-0123456789")).EnsureSuccessStatusCode(); // Europe/Madrid, UTC+1 in March

        var t1 = await ServedAsync("ana", Now.AddDays(-1));
        var t2 = await ServedAsync("ana", Now.AddDays(-2));
        var t3 = await ServedAsync("ana", Now.AddDays(-3));
        await ServedAsync("ana", Now.AddDays(-29)); // served, no feedback
        await FeedbackAsync(t1, "ana", "done", new DateTimeOffset(2026, 3, 1, 17, 10, 0, TimeSpan.Zero), 30_000); // 18:10 in Madrid
        await FeedbackAsync(t2, "ana", "done", new DateTimeOffset(2026, 2, 28, 17, 40, 0, TimeSpan.Zero), 60_000); // 18:40 in Madrid
        await FeedbackAsync(t3, "ana", "dismiss", new DateTimeOffset(2026, 2, 27, 8, 0, 0, TimeSpan.Zero), 3_000);
        await FeedbackAsync(t3, "ana", "helpful", new DateTimeOffset(2026, 2, 27, 8, 1, 0, TimeSpan.Zero));

        // Older than 30 days: two done tips at 09:00 in Madrid that would otherwise win the preferred hour.
        foreach (var days in new[] { 40, 41 })
        {
            var old = await ServedAsync("ana", Now.AddDays(-days));
            await FeedbackAsync(old, "ana", "done", Now.AddDays(-days).AddHours(-2), 1_000_000);
        }
        // Someone else's history does not count.
        var bobs = await ServedAsync("bob", Now.AddDays(-1));
        await FeedbackAsync(bobs, "bob", "dismiss", Now.AddHours(-1), 5);

        var signals = (await AssembleAsync("ana")).Prompt.Signals;

        Assert.Equal(4, signals.TipsServed30d);
        Assert.Equal(0.5, signals.CompletionRate30d, 6);
        Assert.Equal(0.25, signals.DismissRate30d, 6);
        Assert.Equal(31_000, signals.MeanDwellMs!.Value, 6);
        Assert.Equal(18, signals.PreferredHour);
    }

    [Fact]
    public async Task Without_history_the_signals_are_empty()
    {
        var signals = (await AssembleAsync("ana")).Prompt.Signals;

        Assert.Equal(0, signals.TipsServed30d);
        Assert.Equal(0, signals.CompletionRate30d);
        Assert.Equal(0, signals.DismissRate30d);
        Assert.Null(signals.MeanDwellMs);
        Assert.Null(signals.PreferredHour);
    }

    [Fact]
    public void The_preferred_hour_is_the_local_hour_with_most_done_and_ties_go_to_the_earlier_hour()
    {
        var madrid = TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid");
        DateTimeOffset At(int hourUtc) => new(2026, 3, 1, hourUtc, 5, 0, TimeSpan.Zero);

        Assert.Equal(8, UserSignalsReader.PreferredHour([At(7), At(7), At(12)], madrid));
        Assert.Equal(8, UserSignalsReader.PreferredHour([At(12), At(7)], madrid));
        Assert.Null(UserSignalsReader.PreferredHour([], madrid));
    }
}
