using System.Text.Json;
using Microsoft.Extensions.Options;
using Tips.Api.Features.Bandit;
using Tips.Api.Features.Context;
using Tips.Api.Features.Recommendations;
using Tips.Contracts;
using Tips.TestSupport;

namespace Tips.Api.Tests.HotPath;

/// <summary>A person's pool is built again whenever what it is built from changes, and used again only while it is the same.</summary>
public sealed class KeptPoolsTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private readonly TestClock _clock = new(Start);
    private readonly KeptPools _pools;

    public KeptPoolsTests() => _pools = new KeptPools(Options.Create(new RecommendationOptions()), _clock);

    [Fact]
    public void The_same_ranking_batch_suppression_and_limit_give_the_same_pool_even_past_the_state_cache_time()
    {
        var context = Context(Task("t1", priority: 4));
        var batch = Batch("Drink a glass of water.");

        var first = _pools.For("ana", context, batch, Suppression.None, 1, _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromSeconds(10));
        var again = _pools.For("ana", context, batch, Suppression.None, 1, _clock.GetUtcNow());

        Assert.Same(first, again);
        Assert.Equal(["Drink a glass of water.", "Start on “t1 title”: you marked it urgent."], first.Pool.Select(c => c.Content));
        Assert.Equal(2, JsonDocument.Parse(first.SummaryJson).RootElement.GetProperty("k").GetInt32());

        // The caches behind it reload then, and give back the same objects when nothing changed: the pool holds.
        _clock.Advance(new RecommendationOptions().StateCacheFor);
        Assert.Same(first, _pools.For("ana", context, batch, Suppression.None, 1, _clock.GetUtcNow()));
    }

    [Fact]
    public void A_new_ranking_batch_suppression_or_limit_builds_the_pool_again()
    {
        var context = Context(Task("t1", priority: 4));
        var batch = Batch("Drink a glass of water.");
        var now = _clock.GetUtcNow();
        var first = _pools.For("ana", context, batch, Suppression.None, 1, now);

        var hidden = Suppression.None.With([(FeedbackAction.Dismiss, "t1", "Start on “t1 title”: you marked it urgent.")], new RecommendationOptions());
        var suppressed = _pools.For("ana", context, batch, hidden, 1, now);
        Assert.Equal(["Drink a glass of water."], suppressed.Pool.Select(c => c.Content));

        var newBatch = _pools.For("ana", context, Batch("Stretch for two minutes."), hidden, 1, now);
        Assert.Equal(["Stretch for two minutes."], newBatch.Pool.Select(c => c.Content));

        var newTasks = _pools.For("ana", Context(Task("t2", priority: 4)), batch, Suppression.None, 1, now);
        Assert.Equal(["Drink a glass of water.", "Start on “t2 title”: you marked it urgent."], newTasks.Pool.Select(c => c.Content));

        var larger = _pools.For("ana", context, batch, Suppression.None, 5, now);
        Assert.True(larger.Pool.Count >= 5, "fallbacks fill a pool up to its limit");

        Assert.Equal(5, new[] { first, suppressed, newBatch, newTasks, larger }.Distinct().Count());
        Assert.NotSame(first, _pools.For("ben", context, batch, Suppression.None, 1, now));
    }

    [Fact]
    public void A_long_untouched_tasks_tip_counts_its_days_anew_at_the_next_day_since_it_was_added()
    {
        var added = Start.AddDays(-21).AddSeconds(20);
        var context = Context(Task("t1", added: added));

        var first = _pools.For("ana", context, null, Suppression.None, 1, _clock.GetUtcNow());
        Assert.Contains("waited 20 days", first.Pool.Single(c => c.TaskId == "t1").Content);
        Assert.Equal(added.AddDays(21), first.Until);

        _clock.SetUtcNow(added.AddDays(21).AddSeconds(-1));
        Assert.Same(first, _pools.For("ana", context, null, Suppression.None, 1, _clock.GetUtcNow()));

        _clock.SetUtcNow(added.AddDays(21));
        var next = _pools.For("ana", context, null, Suppression.None, 1, _clock.GetUtcNow());
        Assert.Contains("waited 21 days", next.Pool.Single(c => c.TaskId == "t1").Content);
    }

    [Fact]
    public void A_kept_pool_holds_each_candidates_vector_but_for_the_clock_and_one_group_per_task()
    {
        var urgent = Task("t1", priority: 4);
        var context = Context(urgent, Task("t2", priority: 4));
        var batch = new LlmBatch(
        [
            new TipCandidate("llm:1", "Open the t1 report.", TipKind.Task, TipSource.Llm, "Because.", TaskId: "t1"),
            new TipCandidate("llm:2", "Drink a glass of water.", TipKind.Advice, TipSource.Llm, "Because."),
        ], "v1", "chat-default", Start);

        var kept = _pools.For("ana", context, batch, Suppression.None, 1, _clock.GetUtcNow());

        Assert.Equal(kept.Pool.Count, kept.Untimed.Count);
        for (var i = 0; i < kept.Pool.Count; i++)
        {
            var task = kept.Pool[i].TaskId is { } id ? kept.TaskById[id].Task : null;
            Assert.Equal(BanditFeatures.Untimed(kept.Pool[i], task), kept.Untimed[i]);
        }
        Assert.Equal(1, BanditFeatures.ToNamed(kept.Untimed[0])["priority"]);
        Assert.Equal(0, BanditFeatures.ToNamed(kept.Untimed[1])["priority"]);

        // The LLM's tip on t1 and t1's own tip share a group (one request never serves both); the others have their own.
        var t1Groups = kept.Pool.Select((c, i) => (c, i)).Where(p => p.c.TaskId == "t1").Select(p => kept.Groups[p.i]).Distinct().ToList();
        Assert.Equal(2, kept.Pool.Count(c => c.TaskId == "t1"));
        Assert.Single(t1Groups);
        Assert.Equal(kept.Pool.Count - 1, kept.Groups.Distinct().Count());
    }

    [Fact]
    public void Tips_of_dated_tasks_hold_as_long_as_their_ranking()
    {
        Assert.Equal(DateTimeOffset.MaxValue, TaskTipRules.HoldsUntil([Task("t1", due: "2026-03-09", added: Start.AddDays(-30))], Start));
        Assert.Equal(DateTimeOffset.MaxValue, TaskTipRules.HoldsUntil([], Start));
    }

    private static ContextTask Task(string id, int priority = 1, string? due = null, DateTimeOffset? added = null) =>
        new(new PromptTask(id, $"{id} title", priority, due, false, 0, []), false, false, added ?? Start.AddDays(-1),
            $"https://app.todoist.com/app/task/{id}");

    private static AssembledContext Context(params ContextTask[] tasks) =>
        new(new PromptContext(Start, "UTC", UserSignals.None, [.. tasks.Select(t => t.Task)]), tasks, TasksOrigin.Cached, TimeZoneInfo.Utc);

    private static LlmBatch Batch(string content) =>
        new([new TipCandidate($"llm:{content}", content, TipKind.Advice, TipSource.Llm, "Because.")], "v1", "chat-default", Start);
}
