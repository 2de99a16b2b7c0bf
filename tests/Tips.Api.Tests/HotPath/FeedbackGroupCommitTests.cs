using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tips.Api.Features.Feedback;
using Tips.Api.Tests.Support;
using Tips.Contracts;

namespace Tips.Api.Tests.HotPath;

/// <summary>
/// Feedback recorded by group commit, against a real database. Each test queues posts on a recorder of its own before
/// its writer starts, so that they all land in one shared commit.
/// </summary>
public sealed class FeedbackGroupCommitTests : ApiTest
{
    private async Task<Guid> ServeAsync(string user)
    {
        var response = await Api.ClientFor(user).GetFromJsonAsync<TipsResponse>("/tips", TipsJson.Options);
        return response!.Tips[0].Id;
    }

    private FeedbackRecorder NewRecorder() => ActivatorUtilities.CreateInstance<FeedbackRecorder>(Api.Services);

    private Task<List<Tips.Api.Data.BanditModelState>> ModelsAsync() => TipsDb.ModelsAsync(Api.ConnectionString);

    private Task<List<Tips.Api.Data.TipFeedback>> FeedbackAsync() => TipsDb.FeedbackAsync(Api.ConnectionString);

    /// <summary>How many transactions wrote the rows of <paramref name="table"/> (a row's xmin is its writer's).</summary>
    private async Task<long> WritersOfAsync(string table)
    {
        await using var connection = new NpgsqlConnection(Api.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand($"SELECT count(DISTINCT xmin::text) FROM {table}", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Posts_waiting_together_share_one_commit_each_gets_its_own_answer_and_each_tip_teaches_once()
    {
        var ana1 = await ServeAsync("ana");
        var ana2 = await ServeAsync("ana");
        var bo1 = await ServeAsync("bo");
        var recorder = NewRecorder();
        var none = CancellationToken.None;

        var posts = new[]
        {
            recorder.RecordAsync("ana", ana1, FeedbackAction.Helpful, null, none),
            recorder.RecordAsync("ana", ana1, FeedbackAction.Helpful, 90_000, none), // the same action again: the stored answer
            recorder.RecordAsync("ana", ana1, FeedbackAction.Done, null, none), // kept, but not learned from
            recorder.RecordAsync("bo", bo1, FeedbackAction.Dismiss, null, none),
            recorder.RecordAsync("bo", ana2, FeedbackAction.Done, null, none), // not bo's tip
            recorder.RecordAsync("ana", Guid.NewGuid(), FeedbackAction.Done, null, none), // no such tip
            recorder.RecordAsync("ana", ana2, FeedbackAction.NotHelpful, null, none),
        };
        await recorder.StartAsync(none);
        var answers = await Task.WhenAll(posts);
        await recorder.StopAsync(none);

        Assert.Equal([0.5, 0.5, 0.6, -1.0, null, null, -0.5], answers.Select(a => a?.Reward));
        Assert.Equal(
            [(ana1, "helpful"), (ana1, "done"), (bo1, "dismiss"), (ana2, "not_helpful")],
            (await FeedbackAsync()).Select(f => (f.TipId, WireName.Of(f.Action))));

        var models = (await ModelsAsync()).ToDictionary(m => m.ModelKey);
        Assert.Equal(2, models["user:ana"].Observations);
        Assert.Equal(0.0, models["user:ana"].BVector[0], 6); // bias feature is 1: 0.5 - 0.5
        Assert.Equal(1, models["user:bo"].Observations);
        Assert.Equal(-1.0, models["user:bo"].BVector[0], 6);
        Assert.Equal(3, models["global"].Observations);
        Assert.Equal(-1.0, models["global"].BVector[0], 6);
        Assert.Equal(3.0, models["global"].AMatrix[0], 6);

        Assert.Equal(1, await WritersOfAsync("tip_feedback"));
        Assert.Equal(1, await WritersOfAsync("bandit_models"));
    }

    [Fact]
    public async Task Replicas_learning_at_once_lose_no_observation_whether_the_rows_exist_or_not()
    {
        // Four recorders stand for four replicas' writers on one database. Rounds of first feedback go through all of
        // them at once: the first round finds no model rows (each replica inserts, and adds to a row another one
        // inserted meanwhile), the later ones find them (each replica adds to the sums it read under lock).
        var recorders = Enumerable.Range(0, 4).Select(_ => NewRecorder()).ToList();
        var none = CancellationToken.None;
        foreach (var recorder in recorders)
        {
            await recorder.StartAsync(none);
        }
        string[] people = ["ana", "bo", "cy"];
        const int rounds = 3;
        for (var round = 0; round < rounds; round++)
        {
            var tips = new List<(string Person, Guid Tip)>();
            foreach (var person in people)
            {
                for (var i = 0; i < recorders.Count; i++)
                {
                    tips.Add((person, await ServeAsync(person)));
                }
            }
            var answers = await Task.WhenAll(tips.Select((t, i) =>
                recorders[i % recorders.Count].RecordAsync(t.Person, t.Tip, FeedbackAction.Helpful, null, none)));
            Assert.All(answers, a => Assert.Equal(0.5, a!.Reward));
        }
        foreach (var recorder in recorders)
        {
            await recorder.StopAsync(none);
        }

        var models = (await ModelsAsync()).ToDictionary(m => m.ModelKey);
        var learned = rounds * people.Length * recorders.Count;
        Assert.Equal(learned, models["global"].Observations);
        Assert.Equal(learned * 0.5, models["global"].BVector[0], 6); // bias feature is 1
        Assert.Equal(learned, models["global"].AMatrix[0], 6);
        Assert.All(people, p =>
        {
            Assert.Equal(rounds * recorders.Count, models[$"user:{p}"].Observations);
            Assert.Equal(rounds * recorders.Count * 0.5, models[$"user:{p}"].BVector[0], 6);
        });
    }

    [Fact]
    public async Task A_post_the_database_refuses_fails_alone_and_the_others_are_recorded()
    {
        var ana = await ServeAsync("ana");
        var bo = await ServeAsync("bo");
        var cleo = await ServeAsync("cleo");
        var recorder = NewRecorder();
        var none = CancellationToken.None;

        var first = recorder.RecordAsync("ana", ana, FeedbackAction.Helpful, null, none);
        var broken = recorder.RecordAsync("bo", bo, FeedbackAction.Snooze, -1, none); // the endpoint's validator would refuse it
        var last = recorder.RecordAsync("cleo", cleo, FeedbackAction.Dismiss, null, none);
        await recorder.StartAsync(none);

        Assert.Equal(0.5, (await first)!.Reward);
        Assert.Equal(-1.0, (await last)!.Reward);
        var violation = await Assert.ThrowsAsync<PostgresException>(() => broken);
        Assert.Equal(PostgresErrorCodes.CheckViolation, violation.SqlState);
        await recorder.StopAsync(none);

        Assert.Equal(["ana", "cleo"], (await FeedbackAsync()).Select(f => f.UserId));
        var models = (await ModelsAsync()).ToDictionary(m => m.ModelKey);
        Assert.Equal(["global", "user:ana", "user:cleo"], models.Keys.Order());
        Assert.Equal(2, models["global"].Observations);
    }

    [Fact]
    public async Task A_post_whose_caller_stopped_waiting_is_still_recorded_and_stopping_records_all_accepted()
    {
        var ana = await ServeAsync("ana");
        var bo = await ServeAsync("bo");
        var recorder = NewRecorder();
        using var gaveUp = new CancellationTokenSource();

        var abandoned = recorder.RecordAsync("ana", ana, FeedbackAction.Done, 60_000, gaveUp.Token);
        var waited = recorder.RecordAsync("bo", bo, FeedbackAction.Helpful, null, CancellationToken.None);
        await gaveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);

        await recorder.StopAsync(CancellationToken.None);

        Assert.Equal(0.5, (await waited)!.Reward);
        Assert.Equal(["ana", "bo"], (await FeedbackAsync()).Select(f => f.UserId));
        Assert.Throws<InvalidOperationException>(() => { _ = recorder.RecordAsync("ana", ana, FeedbackAction.Dismiss, null, CancellationToken.None); });
    }
}
