using Tips.Contracts;

namespace Tips.Api.Features.Analytics;

/// <summary>
/// The candidate pool a slot chose among, as counts per kind and per source, logged beside the bandit's features in
/// <c>tip_scores.features</c>. Off-policy evaluation needs them: the probability that "always serve kind X" picks the
/// served tip is 1/(number of kind-X candidates), which the propensity and candidate_count alone do not give
/// (docs/analytics.md, "Off-policy evaluation").
/// </summary>
public static class PoolComposition
{
    public const string KindPrefix = "pool_kind_";
    public const string SourcePrefix = "pool_source_";

    /// <summary>
    /// Sets <c>pool_kind_&lt;kind&gt;</c> and <c>pool_source_&lt;source&gt;</c> in <paramref name="features"/> to the
    /// counts in <paramref name="pool"/>, zeros included (a missing key means "not logged", not 0). Pass the
    /// candidates the slot chose among: for slot 0 the whole pool, whose size is the row's candidate_count.
    /// </summary>
    public static void AddTo(IDictionary<string, double> features, IEnumerable<TipCandidate> pool)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(pool);

        foreach (var kind in WireName.All<TipKind>())
        {
            features[KindPrefix + kind] = 0;
        }
        foreach (var source in WireName.All<TipSource>())
        {
            features[SourcePrefix + source] = 0;
        }
        foreach (var candidate in pool)
        {
            features[KindPrefix + WireName.Of(candidate.Kind)] += 1;
            features[SourcePrefix + WireName.Of(candidate.Source)] += 1;
        }
    }
}
