using Tips.Bench.Load;
using Tips.Bench.Options;
using Tips.Bench.Seeding;
using Tips.TestSupport.FakeGateway;
using Tips.TestSupport.FakeTodoist;

namespace Tips.Bench.Scenarios;

/// <summary>A degraded window and the latency it should stay under (a deadline of Tips.Api, plus 100 ms).</summary>
internal sealed record DegradedResult(string Scenario, string Setup, WindowResult Window, double LimitMs, string Limit, long UsersReused)
{
    public bool WithinLimit => Window.Tips.Answered > 0 && Window.Tips.P99Ms <= LimitMs && Window.Tips.Timeouts == 0;
}

/// <summary>
/// Cold, todoist-slow and gateway-hanging: a fixed modest rate where every request is for a user nobody asked for
/// in this run yet, with one fake put into the state the scenario names for the warm-up and the window.
/// </summary>
internal static class DegradedScenario
{
    /// <summary>Tolerance on top of a deadline: the rest of the request (assembling, scoring, logging) and scheduling.</summary>
    public static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(100);

    public static Task<DegradedResult> ColdAsync(BenchContext context, UserPool pool)
    {
        var gateway = context.Stack.Gateway;
        var latency = context.Options.ColdLatency;
        return RunAsync(context, Scenario.Cold, pool,
            $"users with no cached candidates; gateway latency {latency.TotalMilliseconds:0} ms",
            context.LlmDeadline, "Recommendations__LlmDeadline",
            enter: () => gateway.Latency = latency,
            leave: () => gateway.Latency = context.Options.GatewayLatency);
    }

    public static Task<DegradedResult> GatewayHangingAsync(BenchContext context, UserPool pool)
    {
        var gateway = context.Stack.Gateway;
        return RunAsync(context, Scenario.GatewayHanging, pool,
            "users with no cached candidates; the gateway accepts every call and never answers",
            context.LlmDeadline, "Recommendations__LlmDeadline",
            enter: () => gateway.Responder = _ => FakeGatewayReply.Hang(),
            leave: () => gateway.Responder = null);
    }

    /// <summary>Users primed long enough ago that their task snapshots are stale (LLM candidates still cached):
    /// each request asks Todoist, which holds it.</summary>
    public static async Task<DegradedResult> TodoistSlowAsync(BenchContext context, UserPool pool, DateTimeOffset primedAt)
    {
        var staleAt = primedAt + context.SnapshotTtl + TimeSpan.FromSeconds(2);
        var wait = staleAt - TimeProvider.System.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            Progress.Step($"todoist-slow: waiting {wait.TotalSeconds:0} s until the primed users' task snapshots are stale (Todoist__SnapshotTtl {context.SnapshotTtl.TotalSeconds:0} s)");
            await Task.Delay(wait, context.CancellationToken);
        }

        var accounts = pool.Users.Select(u => context.Stack.Todoist.Account(u.TodoistToken)).ToList();
        return await RunAsync(context, Scenario.TodoistSlow, pool,
            "users whose task snapshots are stale (LLM candidates cached); Todoist holds every request",
            context.TodoistDeadline, "Todoist__Deadline",
            enter: () => accounts.ForEach(a => a.Behavior = FakeTodoistBehavior.Slow),
            leave: () => accounts.ForEach(a => a.Behavior = FakeTodoistBehavior.Ok));
    }

    private static async Task<DegradedResult> RunAsync(BenchContext context, Scenario scenario, UserPool pool, string setup,
        TimeSpan deadline, string deadlineSetting, Action enter, Action leave)
    {
        var options = context.Options;
        var name = ScenarioNames.Of(scenario);
        var users = new UserCursor(pool, eachOnce: true);
        enter();
        try
        {
            Progress.Step($"{name}: {setup}");
            Progress.Say($"warm-up {options.DegradedWarmup.TotalSeconds:0} s, then {options.DegradedRate:0.#} req/s for {options.DegradedDuration.TotalSeconds:0} s");
            var window = (await Windows.FixedRateAsync(context, name, users, options.DegradedRate, options.DegradedWarmup, options.DegradedDuration)).Result;
            var limit = deadline + Slack;
            Progress.Say(WarmScenario.Summary(window) + $"; limit {limit.TotalMilliseconds:0} ms");
            return new DegradedResult(name, setup, window, limit.TotalMilliseconds,
                $"{deadlineSetting} {deadline.TotalMilliseconds:0} ms + {Slack.TotalMilliseconds:0} ms", users.Reused);
        }
        finally
        {
            leave();
        }
    }
}
