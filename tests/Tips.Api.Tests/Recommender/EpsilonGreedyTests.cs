using Tips.Api.Features.Bandit;

namespace Tips.Api.Tests.Recommender;

public sealed class EpsilonGreedyTests
{
    /// <summary>The design's formula, written out independently of the code under test.</summary>
    private static double Expected(double[] scores, int index, double epsilon, IReadOnlyCollection<int> remaining)
    {
        var top = remaining.Max(i => scores[i]);
        var best = remaining.Where(i => Math.Abs(scores[i] - top) < 1e-12).ToList();
        var k = remaining.Count;
        return (best.Contains(index) ? (1 - epsilon) / best.Count : 0) + epsilon / k;
    }

    [Theory]
    [InlineData(new[] { 0.1, 0.5, 0.3, 0.2 }, 0.1)]        // no ties
    [InlineData(new[] { 0.5, 0.5, 0.3, 0.5 }, 0.1)]        // three tied best
    [InlineData(new[] { 0.2, 0.9 }, 0.0)]                  // ε = 0: always the best
    [InlineData(new[] { 0.2, 0.9, 0.4 }, 1.0)]             // ε = 1: uniform
    [InlineData(new[] { 0.7 }, 0.1)]                       // K = 1
    public void Logged_propensity_matches_the_formula_and_the_distribution_sums_to_one(double[] scores, double epsilon)
    {
        var all = Enumerable.Range(0, scores.Length).ToList();
        Assert.Equal(1.0, all.Sum(i => Expected(scores, i, epsilon, all)), 9);

        var random = new RandomSource(seed: 7);
        var counts = new int[scores.Length];
        const int draws = 20_000;
        for (var n = 0; n < draws; n++)
        {
            var pick = Assert.Single(EpsilonGreedy.Choose(scores, 1, epsilon, random));
            Assert.Equal(Expected(scores, pick.Index, epsilon, all), pick.Propensity, 12);
            Assert.Equal(scores.Length, pick.Remaining);
            counts[pick.Index]++;
        }

        // The logged propensity is what actually happens: observed frequencies within 4 standard errors.
        for (var i = 0; i < scores.Length; i++)
        {
            var p = Expected(scores, i, epsilon, all);
            var tolerance = 4 * Math.Sqrt(p * (1 - p) / draws) + 1e-9;
            Assert.InRange(counts[i] / (double)draws, p - tolerance, p + tolerance);
        }
    }

    [Fact]
    public void Later_slots_are_chosen_without_replacement_with_conditional_propensities()
    {
        double[] scores = [0.9, 0.1, 0.5, 0.5, 0.2];
        var random = new RandomSource(seed: 11);

        for (var n = 0; n < 2_000; n++)
        {
            var picks = EpsilonGreedy.Choose(scores, 3, 0.2, random);

            Assert.Equal(3, picks.Length);
            Assert.Equal(3, picks.Select(p => p.Index).Distinct().Count());
            var remaining = Enumerable.Range(0, scores.Length).ToList();
            foreach (var pick in picks)
            {
                Assert.Equal(remaining.Count, pick.Remaining);
                Assert.Equal(Expected(scores, pick.Index, 0.2, remaining), pick.Propensity, 12);
                remaining.Remove(pick.Index);
            }
        }
    }

    [Fact]
    public void Candidates_of_one_group_leave_together()
    {
        double[] scores = [0.9, 0.8, 0.1, 0.2];
        int[] groups = [0, 0, 1, 2]; // the first two are tips about the same task

        var picks = EpsilonGreedy.Choose(scores, 3, 0.0, new RandomSource(seed: 1), groups);

        Assert.Equal([0, 3, 2], picks.Select(p => p.Index));
        Assert.Equal(2, picks[1].Remaining);
        Assert.Equal(1.0, picks[1].Propensity, 12);
    }

    [Fact]
    public void More_slots_than_candidates_returns_every_candidate_once()
    {
        var picks = EpsilonGreedy.Choose([0.3, 0.4], 5, 0.1, new RandomSource(seed: 3));

        Assert.Equal([0, 1], picks.Select(p => p.Index).Order());
        Assert.Equal(1.0, picks[1].Propensity, 12);
    }

    [Fact]
    public void Explores_at_rate_epsilon()
    {
        const double epsilon = 0.1;
        const int draws = 20_000;
        var random = new RandomSource(seed: 5);

        var explored = Enumerable.Range(0, draws).Count(_ => EpsilonGreedy.Choose([0.1, 0.2, 0.9, 0.3], 1, epsilon, random)[0].Explored);

        var tolerance = 4 * Math.Sqrt(epsilon * (1 - epsilon) / draws);
        Assert.InRange(explored / (double)draws, epsilon - tolerance, epsilon + tolerance);
    }
}
