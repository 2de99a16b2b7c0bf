namespace Tips.Api.Features.Bandit;

/// <summary>One chosen candidate: its index in the pool, and the exact probability the policy gave it.</summary>
/// <param name="Propensity">P(this candidate | the slots already filled), as logged for off-policy evaluation.</param>
/// <param name="Explored">Whether the uniform (exploration) branch made the choice.</param>
/// <param name="Remaining">How many candidates were left to choose from in this slot (K for the first slot).</param>
public readonly record struct Pick(int Index, double Propensity, bool Explored, double Predicted, int Remaining);

/// <summary>
/// ε-greedy over predicted rewards. With probability 1−ε a best candidate (ties broken uniformly), else a uniform
/// one, so P(a) = (1−ε)/m + ε/K for each of the m tied best of K, and ε/K for the others. Later slots repeat this
/// over the candidates not yet chosen, each pick's propensity conditional on the earlier ones. Candidates that
/// share a group (tips about the same task) leave the pool together, so one answer never holds the same task twice.
/// </summary>
public static class EpsilonGreedy
{
    /// <summary>Scores closer than this are ties: floating-point noise must not decide between equal arms.</summary>
    public const double TieTolerance = 1e-9;

    /// <param name="groups">Group of each candidate (same length as <paramref name="predicted"/>); empty = all distinct.</param>
    public static Pick[] Choose(
        ReadOnlySpan<double> predicted, int slots, double epsilon, IRandomSource random, ReadOnlySpan<int> groups = default)
    {
        if (epsilon is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), "ε must be within 0..1.");
        }

        if (!groups.IsEmpty && groups.Length != predicted.Length)
        {
            throw new ArgumentException("One group per candidate.", nameof(groups));
        }

        var picks = new List<Pick>(Math.Min(slots, predicted.Length));
        var remaining = new List<int>(predicted.Length);
        for (var i = 0; i < predicted.Length; i++)
        {
            remaining.Add(i);
        }

        var best = new List<int>(predicted.Length);
        while (picks.Count < slots && remaining.Count > 0)
        {
            best.Clear();
            var top = double.NegativeInfinity;
            foreach (var i in remaining)
            {
                if (predicted[i] > top + TieTolerance)
                {
                    top = predicted[i];
                    best.Clear();
                    best.Add(i);
                }
                else if (predicted[i] >= top - TieTolerance)
                {
                    best.Add(i);
                }
            }

            var k = remaining.Count;
            var explored = epsilon > 0 && random.NextDouble() < epsilon;
            var chosen = explored ? remaining[random.Next(k)] : best[random.Next(best.Count)];
            var propensity = (best.Contains(chosen) ? (1 - epsilon) / best.Count : 0) + epsilon / k;

            picks.Add(new Pick(chosen, propensity, explored, predicted[chosen], k));
            if (groups.IsEmpty)
            {
                remaining.Remove(chosen);
            }
            else
            {
                var group = groups[chosen];
                var kept = 0;
                for (var r = 0; r < remaining.Count; r++)
                {
                    if (groups[remaining[r]] != group)
                    {
                        remaining[kept++] = remaining[r];
                    }
                }
                remaining.RemoveRange(kept, remaining.Count - kept);
            }
        }
        return [.. picks];
    }
}
