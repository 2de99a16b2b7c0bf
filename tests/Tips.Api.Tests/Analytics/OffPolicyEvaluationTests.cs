using Tips.Api.Tests.Support;
using Tips.Contracts;
using Xunit.Abstractions;

namespace Tips.Api.Tests.Analytics;

/// <summary>
/// analytics.policy_estimates against simulated logs whose true values are known: every arm's expected reward is
/// fixed, the logging policy's probabilities are exact, and the seed is fixed, so each run sees the same log.
/// Two checks per estimate: it equals an independent computation of the same formula on the same rows, and it lies
/// within a few standard errors of the true value (with standard errors small enough for that to mean something).
/// </summary>
public sealed class OffPolicyEvaluationTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset AsOf = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    /// <summary>An arm and the chances of each first feedback; the rest of the time there is none (reward 0).</summary>
    private sealed record Arm(TipKind Kind, TipSource Source, double Done, double Dismiss, double Helpful, double NotHelpful, double Snooze)
    {
        // Done is posted with a 60 s dwell: +1.0.
        public double Mean => Done - Dismiss + 0.5 * Helpful - 0.5 * NotHelpful + 0.1 * Snooze;
    }

    private static readonly Arm[] Arms =
    [
        new(TipKind.Task, TipSource.TaskDirect, 0.50, 0.10, 0.10, 0.05, 0.10),
        new(TipKind.Task, TipSource.Llm, 0.35, 0.15, 0.10, 0.05, 0.10),
        new(TipKind.Advice, TipSource.Llm, 0.10, 0.20, 0.30, 0.10, 0.05),
        new(TipKind.Insight, TipSource.Llm, 0.05, 0.10, 0.40, 0.10, 0.00),
        new(TipKind.Reminder, TipSource.Llm, 0.30, 0.30, 0.05, 0.05, 0.20),
        new(TipKind.Advice, TipSource.Fallback, 0.05, 0.40, 0.10, 0.10, 0.05),
        new(TipKind.Insight, TipSource.Fallback, 0.02, 0.30, 0.20, 0.10, 0.00),
    ];

    private sealed record Decision(Arm[] Pool, double[] Logging, int Chosen, double Reward, bool PoolLogged);

    private sealed record Target(string Name, string? Arm, Func<Decision, double?> Weight, Func<Decision, double> TrueValue);

    [Fact]
    public async Task Under_uniform_random_logging_IPS_recovers_every_arms_true_mean()
    {
        var log = Simulate(seed: 6, decisions: 20_000, legacyShare: 0, Uniform);
        var estimates = await EstimateAsync(log, pendingDecisions: 200, laterSlots: true);

        foreach (var target in Targets())
        {
            var row = estimates[(target.Name, target.Arm)];
            var truth = TrueValue(log.Decisions, target);
            AssertSameAsReference(log.Decisions, target, row);
            Assert.True((double)row["ips_stderr"]! < 0.03, $"{target.Name} {target.Arm}: too few decisions to tell");
            AssertWithin(truth, (double)row["ips"]!, 4 * (double)row["ips_stderr"]!, $"IPS {target.Name} {target.Arm}");
            AssertWithin(truth, (double)row["snips"]!, 4 * (double)row["snips_stderr"]!, $"SNIPS {target.Name} {target.Arm}");
        }

        // With every candidate of kind X served with known chance, "always kind X" is the mean of X's arms.
        var insight = estimates[("always_kind", "insight")];
        Assert.Equal(20_000L, insight["decisions"]);
        Assert.InRange((double)insight["mean_weight"]!, 0.95, 1.05);
    }

    [Fact]
    public async Task Under_epsilon_greedy_logging_IPS_and_SNIPS_correct_the_bias_of_the_logged_mean()
    {
        var log = Simulate(seed: 11, decisions: 30_000, legacyShare: 0.1, EpsilonGreedy);
        var estimates = await EstimateAsync(log, pendingDecisions: 0, laterSlots: false);

        foreach (var target in Targets())
        {
            var row = estimates[(target.Name, target.Arm)];
            var truth = TrueValue(log.Decisions, target);
            AssertSameAsReference(log.Decisions, target, row);
            Assert.True((double)row["snips_stderr"]! < 0.06, $"{target.Name} {target.Arm}: too few decisions to tell");
            AssertWithin(truth, (double)row["ips"]!, 4 * (double)row["ips_stderr"]!, $"IPS {target.Name} {target.Arm}");
            AssertWithin(truth, (double)row["snips"]!, 4 * (double)row["snips_stderr"]!, $"SNIPS {target.Name} {target.Arm}");
        }

        // The live policy favours advice: its own mean says little about "always serve a task"; the estimate does.
        var task = estimates[("always_kind", "task")];
        var taskTruth = TrueValue(log.Decisions, Targets().Single(t => t.Arm == "task"));
        Assert.True(Math.Abs((double)task["logged_value"]! - taskTruth) > 0.15);

        // Rows logged before pool counts existed serve only policies that need no more than candidate_count.
        Assert.Equal(1.0, (double)estimates[("uniform_random", null)]["coverage"]!);
        Assert.InRange((double)task["coverage"]!, 0.88, 0.92);
        // Exploration is rare, so a policy far from the live one rests on few effective decisions.
        Assert.True((double)task["ess_share"]! < 0.2);
        Assert.Equal(1.0, (double)estimates[("logged", null)]["ess_share"]!, 9);
    }

    // ------------------------------------------------------------------------------------------------- simulation

    private sealed record Log(List<Decision> Decisions, List<ServedTip> Tips, List<PostedFeedback> Feedback);

    private static double[] Uniform(Arm[] pool) => [.. pool.Select(_ => 1.0 / pool.Length)];

    /// <summary>ε = 0.3 over a mis-specified score that favours advice; equal scores tie (duplicates always do).</summary>
    private static double[] EpsilonGreedy(Arm[] pool)
    {
        const double epsilon = 0.3;
        static double Score(Arm a) => (a.Kind, a.Source) switch
        {
            (TipKind.Advice, TipSource.Llm) => 0.9,
            (TipKind.Advice, TipSource.Fallback) => 0.8,
            (TipKind.Reminder, _) or (TipKind.Insight, TipSource.Llm) => 0.5,
            _ => 0.3,
        };
        var top = pool.Max(Score);
        var best = pool.Count(a => Score(a) == top);
        return [.. pool.Select(a => epsilon / pool.Length + (Score(a) == top ? (1 - epsilon) / best : 0))];
    }

    private static Log Simulate(int seed, int decisions, double legacyShare, Func<Arm[], double[]> policy)
    {
        var random = new Random(seed);
        var log = new Log([], [], []);
        for (var i = 0; i < decisions; i++)
        {
            var pool = Enumerable.Range(0, random.Next(1, 9)).Select(_ => Arms[random.Next(Arms.Length)]).ToArray();
            var probabilities = policy(pool);
            var chosen = Sample(random, probabilities);
            var arm = pool[chosen];
            var poolLogged = random.NextDouble() >= legacyShare;

            var tip = new ServedTip
            {
                ServedAt = AsOf.AddDays(-3).AddSeconds(i),
                Kind = arm.Kind,
                Source = arm.Source,
                LlmModel = arm.Source == TipSource.Llm ? "model-a" : null,
                PromptVersion = arm.Source == TipSource.Llm ? "p1" : null,
                Epsilon = 0.3,
                Propensity = probabilities[chosen],
                CandidateCount = pool.Length,
                Features = poolLogged
                    ? ServedTip.FeaturesWithPool(pool.Select(a => new TipCandidate("c", "x", a.Kind, a.Source, "r")))
                    : """{"x": {"bias": 1}}""",
            };
            log.Tips.Add(tip);

            var u = random.NextDouble();
            FeedbackAction? action = u < arm.Done ? FeedbackAction.Done
                : u < arm.Done + arm.Dismiss ? FeedbackAction.Dismiss
                : u < arm.Done + arm.Dismiss + arm.Helpful ? FeedbackAction.Helpful
                : u < arm.Done + arm.Dismiss + arm.Helpful + arm.NotHelpful ? FeedbackAction.NotHelpful
                : u < arm.Done + arm.Dismiss + arm.Helpful + arm.NotHelpful + arm.Snooze ? FeedbackAction.Snooze
                : null;
            var reward = 0.0;
            if (action is { } a)
            {
                long? dwell = a == FeedbackAction.Done ? 60_000 : null;
                var milli = TipLog.RewardMilli(a, dwell);
                log.Feedback.Add(new PostedFeedback(tip.Id, a, milli, tip.ServedAt.AddMinutes(10), dwell));
                reward = milli / 1000.0;
            }
            log.Decisions.Add(new Decision(pool, probabilities, chosen, reward, poolLogged));
        }
        return log;
    }

    private static int Sample(Random random, double[] probabilities)
    {
        var u = random.NextDouble();
        for (var i = 0; i < probabilities.Length - 1; i++)
        {
            u -= probabilities[i];
            if (u < 0)
            {
                return i;
            }
        }
        return probabilities.Length - 1;
    }

    private static async Task<Dictionary<(string, string?), Dictionary<string, object?>>> EstimateAsync(
        Log log, int pendingDecisions, bool laterSlots)
    {
        var tips = new List<ServedTip>(log.Tips);
        var feedback = new List<PostedFeedback>(log.Feedback);
        // Noise the estimator must ignore: tips still inside their window, and later slots (conditional propensities),
        // here all dismissed with propensity 1, which would pull every estimate down if they were counted.
        for (var i = 0; i < pendingDecisions; i++)
        {
            tips.Add(new ServedTip { ServedAt = AsOf.AddHours(-1), Propensity = 0.01, CandidateCount = 3 });
        }
        if (laterSlots)
        {
            foreach (var tip in log.Tips.Where((_, i) => i % 4 == 0))
            {
                var slot = tip with { Id = Guid.NewGuid(), Position = 1, Propensity = 1, CandidateCount = 1, Kind = TipKind.Task };
                tips.Add(slot);
                feedback.Add(new PostedFeedback(slot.Id, FeedbackAction.Dismiss, -1000, slot.ServedAt.AddMinutes(1)));
            }
        }

        var owner = await TestDatabase.CreateAsync();
        await TipLog.WriteAsync(owner, tips, feedback);
        var analyst = await TipLog.AnalystConnectionStringAsync(owner);
        var rows = await TipLog.QueryAsync(analyst, "SELECT * FROM analytics.policy_estimates(as_of => @as_of)", ("as_of", AsOf));
        return rows.ToDictionary(r => ((string)r["target"]!, (string?)r["arm"]));
    }

    // ------------------------------------------------------------------------------------- targets and reference

    private static IEnumerable<Target> Targets()
    {
        yield return new Target("logged", null, _ => 1,
            d => d.Pool.Select((a, i) => d.Logging[i] * a.Mean).Sum());
        yield return new Target("uniform_random", null, d => 1.0 / (d.Pool.Length * d.Logging[d.Chosen]),
            d => d.Pool.Average(a => a.Mean));
        foreach (var kind in Enum.GetValues<TipKind>())
        {
            yield return Always("always_kind", WireName.Of(kind), a => a.Kind == kind);
        }
        foreach (var source in Enum.GetValues<TipSource>())
        {
            yield return Always("always_source", WireName.Of(source), a => a.Source == source);
        }
    }

    /// <summary>A uniform pick among the pool's matching candidates, or the live policy's pick when none match.</summary>
    private static Target Always(string name, string arm, Func<Arm, bool> matches) => new(name, arm,
        d =>
        {
            if (!d.PoolLogged)
            {
                return null;
            }
            var n = d.Pool.Count(matches);
            return n == 0 ? 1 : matches(d.Pool[d.Chosen]) ? 1.0 / (n * d.Logging[d.Chosen]) : 0;
        },
        d => d.Pool.Any(matches)
            ? d.Pool.Where(matches).Average(a => a.Mean)
            : d.Pool.Select((a, i) => d.Logging[i] * a.Mean).Sum());

    /// <summary>The target's expected reward over the decisions it can use, from the arms' known means.</summary>
    private static double TrueValue(List<Decision> decisions, Target target) =>
        decisions.Where(d => target.Weight(d) is not null).Average(target.TrueValue);

    private static void AssertSameAsReference(List<Decision> decisions, Target target, Dictionary<string, object?> row)
    {
        var used = decisions.Select(d => (W: target.Weight(d), R: d.Reward)).Where(x => x.W is not null)
            .Select(x => (W: x.W!.Value, x.R)).ToList();
        var sumW = used.Sum(x => x.W);
        var sumWr = used.Sum(x => x.W * x.R);
        var sumWw = used.Sum(x => x.W * x.W);
        var label = $"{target.Name} {target.Arm}";

        Assert.Equal((long)decisions.Count, (long)row["decisions"]!);
        Assert.Equal((long)used.Count, (long)row["decisions_used"]!);
        AssertClose(sumWr / used.Count, (double)row["ips"]!, label + " ips");
        AssertClose(sumWr / sumW, (double)row["snips"]!, label + " snips");
        AssertClose(sumW * sumW / sumWw, (double)row["ess"]!, label + " ess");
        AssertClose(sumW / used.Count, (double)row["mean_weight"]!, label + " mean_weight");
        AssertClose(used.Max(x => x.W), (double)row["max_weight"]!, label + " max_weight");
    }

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected}, got {actual}");

    private void AssertWithin(double truth, double estimate, double tolerance, string what)
    {
        output.WriteLine($"{what}: estimate {estimate:F4}, true value {truth:F4}, tolerance {tolerance:F4}");
        Assert.True(Math.Abs(estimate - truth) <= tolerance,
            $"{what}: estimate {estimate:F4}, true value {truth:F4}, tolerance {tolerance:F4}");
    }
}
