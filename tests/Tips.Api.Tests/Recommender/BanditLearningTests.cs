using System.Text.Json;
using Tips.Api.Features.Bandit;
using Tips.Api.Features.Recommendations;
using Tips.Contracts;

namespace Tips.Api.Tests.Recommender;

public sealed class BanditLearningTests
{
    private static readonly DateTimeOffset Morning = new(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(1));

    private static readonly TipCandidate Advice = new("a", "Walk", TipKind.Advice, TipSource.Fallback, "r");
    private static readonly TipCandidate Insight = new("b", "Mornings", TipKind.Insight, TipSource.Llm, "r");
    private static readonly TipCandidate Reminder = new("c", "Water", TipKind.Reminder, TipSource.Fallback, "r");

    [Fact]
    public void A_seeded_bandit_prefers_the_arm_with_the_higher_observed_reward_and_still_explores()
    {
        TipCandidate[] arms = [Advice, Insight, Reminder];
        double[] trueMean = [0.1, 0.7, -0.4];
        var vectors = arms.Select(a => BanditFeatures.For(a, null, Morning)).ToArray();
        var model = new RewardModel(BanditFeatures.Dimension);
        var random = new RandomSource(seed: 42);
        var noise = new Random(43);
        const double epsilon = 0.1;

        var servedBest = 0;
        var explored = 0;
        const int rounds = 3_000;
        for (var round = 0; round < rounds; round++)
        {
            var theta = model.Solve(1.0);
            var scores = vectors.Select(x => RewardModel.Predict(theta, x)).ToArray();
            var pick = EpsilonGreedy.Choose(scores, 1, epsilon, random)[0];
            var reward = trueMean[pick.Index] + (noise.NextDouble() - 0.5) * 0.4;
            model.Add(vectors[pick.Index], reward);

            if (round >= rounds / 2)
            {
                servedBest += pick.Index == 1 ? 1 : 0;
                explored += pick.Explored ? 1 : 0;
            }
        }

        var finalTheta = model.Solve(1.0);
        var predicted = vectors.Select(x => RewardModel.Predict(finalTheta, x)).ToArray();
        Assert.Equal(1, Array.IndexOf(predicted, predicted.Max()));
        Assert.InRange(predicted[1], 0.6, 0.8);

        // After learning: best arm served about (1 − ε) + ε/3 of the time; exploration about ε.
        var half = rounds / 2.0;
        Assert.InRange(servedBest / half, (1 - epsilon) + epsilon / 3 - 0.04, (1 - epsilon) + epsilon / 3 + 0.04);
        Assert.InRange(explored / half, epsilon - 0.03, epsilon + 0.03);
    }

    [Fact]
    public void A_person_without_history_gets_the_global_model_and_one_with_much_gets_their_own()
    {
        var x = BanditFeatures.For(Advice, null, Morning);
        var global = new RewardModel(BanditFeatures.Dimension);
        for (var i = 0; i < 200; i++)
        {
            global.Add(x, 0.8);
        }
        var globalTheta = global.Solve(1.0);

        var newcomer = new RewardModel(BanditFeatures.Dimension);
        var regular = new RewardModel(BanditFeatures.Dimension);
        for (var i = 0; i < 500; i++)
        {
            regular.Add(x, -0.5);
        }

        Assert.Equal(RewardModel.Predict(globalTheta, x), RewardModel.Predict(newcomer.Solve(10, globalTheta), x), 9);
        Assert.InRange(RewardModel.Predict(regular.Solve(10, globalTheta), x), -0.5, -0.4);
    }

    [Fact]
    public void Ridge_recovers_known_coefficients()
    {
        var model = new RewardModel(3);
        var random = new Random(1);
        double[] truth = [0.5, -1.0, 2.0];
        for (var i = 0; i < 2_000; i++)
        {
            double[] x = [1, random.NextDouble(), random.NextDouble()];
            model.Add(x, RewardModel.Predict(truth, x));
        }

        var theta = model.Solve(1e-3);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(truth[i], theta[i], 2);
        }
    }

    [Fact]
    public void Features_are_stored_by_name_and_read_back()
    {
        var task = new PromptTask("t1", "Report", 4, "2026-02-27", true, 3, []);
        var x = BanditFeatures.For(new TipCandidate("task:t1", "Do it", TipKind.Task, TipSource.TaskDirect, "r", "t1"), task, Morning);

        var named = BanditFeatures.ToNamed(x);

        Assert.Equal(1, named["is_overdue"]);
        Assert.Equal(0.1, named["due_age"], 6);
        Assert.Equal(1, named["priority"]);
        Assert.Equal(1, named["kind_task"]);
        Assert.Equal(1, named["source_task_direct"]);
        Assert.Equal(0, named["source_llm"]);
        Assert.Equal(x.Select(v => Math.Round(v, 6)), BanditFeatures.FromNamed(named));
    }

    [Fact]
    public void The_clock_added_to_a_vector_without_it_scores_and_logs_as_the_whole_vector()
    {
        var task = new PromptTask("t1", "Report", 3, "2026-02-27", true, 3, []);
        var candidate = new TipCandidate("task:t1", "Do it", TipKind.Task, TipSource.TaskDirect, "r", "t1");
        var theta = Enumerable.Range(0, BanditFeatures.Dimension).Select(i => (i % 5 - 2) * 0.37).ToArray();
        var evening = new DateTimeOffset(2026, 3, 7, 21, 45, 0, TimeSpan.FromHours(-5));

        foreach (var localTime in new[] { Morning, evening })
        {
            var whole = BanditFeatures.For(candidate, task, localTime);
            var untimed = BanditFeatures.Untimed(candidate, task);
            var clock = BanditFeatures.Clock.At(localTime);

            Assert.Equal(whole, clock.Complete(untimed));
            Assert.Equal(RewardModel.Predict(theta, whole), clock.Predict(theta, untimed), 12);
            var named = BanditFeatures.ToNamed(untimed);
            Assert.All(new[] { "hour_sin", "hour_cos", "dow_sin", "dow_cos" }, name => Assert.Equal(0, named[name]));
            Assert.Equal(BanditFeatures.ToNamed(whole).Where(f => !f.Key.StartsWith("hour_", StringComparison.Ordinal) && !f.Key.StartsWith("dow_", StringComparison.Ordinal)),
                named.Where(f => !f.Key.StartsWith("hour_", StringComparison.Ordinal) && !f.Key.StartsWith("dow_", StringComparison.Ordinal)));
        }
        Assert.NotEqual(BanditFeatures.For(candidate, task, Morning), BanditFeatures.For(candidate, task, evening));
    }

    [Fact]
    public void Logged_features_are_written_as_the_serializer_writes_them()
    {
        var task = new PromptTask("t1", "Report", 4, "2026-02-27", true, 3, []);
        TipCandidate[] pool =
        [
            new("task:t1", "Do it", TipKind.Task, TipSource.TaskDirect, "r", "t1"),
            Advice, Insight, Reminder,
        ];
        var summary = PoolSummary.Of(pool);
        var evening = new DateTimeOffset(2026, 3, 7, 21, 45, 0, TimeSpan.FromHours(-5));
        double[] odd = [1, -0.1234567, 1e-7, 2.5e-6, 0.3333333333, -1, 0, 0.5, 1, 0, 0, 0, 1, 0, 0];

        foreach (var x in new[] { BanditFeatures.For(pool[0], task, Morning), BanditFeatures.For(Advice, null, evening), odd })
        {
            var written = LoggedFeatures.Write(x, summary.ToJson(), 3);

            Assert.Equal(JsonSerializer.Serialize(new LoggedFeatures(BanditFeatures.ToNamed(x), summary, 3), LoggedFeatures.Json), written);
            Assert.Equal(BanditFeatures.ToNamed(x), JsonSerializer.Deserialize(written, LoggedFeatures.Json)!.X);
        }
    }
}
