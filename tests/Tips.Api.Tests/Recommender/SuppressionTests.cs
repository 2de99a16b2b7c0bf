using Npgsql;
using Tips.Api.Features.Recommendations;
using Tips.Api.Tests.Analytics;
using Tips.Api.Tests.Support;
using Tips.Contracts;
using TipLog = Tips.Api.Tests.Analytics.TipLog;

namespace Tips.Api.Tests.Recommender;

/// <summary>What a person's recent feedback hides from their next tips, read from real rows.</summary>
public sealed class SuppressionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    // The defaults: done or dismissed stays away 20 h, snoozed 3 h.
    private static readonly RecommendationOptions Options = new();

    private string _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static ServedTip Tip(string content, string? taskId = null, string user = "ana") =>
        new() { ServedAt = Now.AddDays(-2), Content = content, TaskId = taskId, UserId = user };

    private static PostedFeedback Posted(ServedTip tip, FeedbackAction action, TimeSpan ago) =>
        new(tip.Id, action, TipLog.RewardMilli(action), Now - ago, UserId: tip.UserId);

    private async Task<Suppression> ReadAsync(string user)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var batch = new NpgsqlBatch(connection) { BatchCommands = { Suppression.RecentCommand(user, Now, Options)! } };
        await using var reader = await batch.ExecuteReaderAsync();
        return await Suppression.ReadAsync(reader, Now, Options, CancellationToken.None);
    }

    private static TipCandidate Candidate(string content, string? taskId = null) =>
        new(Guid.NewGuid().ToString(), content, TipKind.Task, TipSource.Llm, "why", taskId);

    [Fact]
    public async Task Done_and_dismissed_stay_away_for_their_window_and_snoozed_for_the_snooze()
    {
        var done = Tip("Renew passport", "t-passport");
        var dismissed = Tip("Clear your desk");
        var oldDismissed = Tip("Call mum");
        var snoozed = Tip("Stretch");
        var oldSnoozed = Tip("Drink water");
        var helpful = Tip("Plan tomorrow");
        var bobs = Tip("Walk the dog", user: "bob");
        await TipLog.WriteAsync(_database, [done, dismissed, oldDismissed, snoozed, oldSnoozed, helpful, bobs],
        [
            Posted(done, FeedbackAction.Done, TimeSpan.FromHours(19)),
            Posted(dismissed, FeedbackAction.Dismiss, TimeSpan.FromHours(1)),
            Posted(oldDismissed, FeedbackAction.Dismiss, TimeSpan.FromHours(21)),
            Posted(snoozed, FeedbackAction.Snooze, TimeSpan.FromHours(2)),
            Posted(oldSnoozed, FeedbackAction.Snooze, TimeSpan.FromHours(4)),
            Posted(helpful, FeedbackAction.Helpful, TimeSpan.FromHours(1)),
            Posted(bobs, FeedbackAction.Dismiss, TimeSpan.FromHours(1)),
        ]);

        var hidden = await ReadAsync("ana");

        // The task is hidden by its id whatever the wording; other tips by their wording, in any case and spacing.
        Assert.True(hidden.Hides(Candidate("Another wording", "t-passport")));
        Assert.True(hidden.Hides(Candidate("  clear your DESK ")));
        Assert.True(hidden.Hides(Candidate("Stretch")));
        Assert.False(hidden.Hides(Candidate("Call mum")));
        Assert.False(hidden.Hides(Candidate("Drink water")));
        Assert.False(hidden.Hides(Candidate("Plan tomorrow")));
        Assert.False(hidden.Hides(Candidate("Walk the dog")));
    }

    [Fact]
    public async Task A_read_that_hides_the_same_gives_back_the_object_in_use_and_one_that_hides_more_does_not()
    {
        var dismissed = Tip("Clear your desk");
        var later = Tip("Stretch");
        await TipLog.WriteAsync(_database, [dismissed], [Posted(dismissed, FeedbackAction.Dismiss, TimeSpan.FromHours(1))]);
        var inUse = await ReadAsync("ana");

        Assert.Same(inUse, (await ReadAsync("ana")).OrSame(inUse));
        Assert.Same(Suppression.None, (await ReadAsync("bob")).OrSame(Suppression.None));

        await TipLog.WriteAsync(_database, [later], [Posted(later, FeedbackAction.Snooze, TimeSpan.FromMinutes(5))]);
        var more = (await ReadAsync("ana")).OrSame(inUse);

        Assert.NotSame(inUse, more);
        Assert.True(more.Hides(Candidate("Stretch")));
        Assert.NotSame(inUse, new Suppression([], []).OrSame(inUse)); // hiding less is a change too
    }
}
