using Tips.Api.Features.Analytics;
using Tips.Contracts;

namespace Tips.Api.Tests.Analytics;

public sealed class PoolCompositionTests
{
    [Fact]
    public void The_pool_is_logged_as_counts_per_kind_and_source_with_zeros_and_the_features_kept()
    {
        var features = new Dictionary<string, double> { ["bias"] = 1, ["pool_kind_task"] = 9 };
        TipCandidate[] pool =
        [
            new("task:1", "Pay rent", TipKind.Task, TipSource.TaskDirect, "due"),
            new("llm:0", "Walk", TipKind.Advice, TipSource.Llm, "r"),
            new("llm:1", "Call", TipKind.Task, TipSource.Llm, "r"),
        ];

        PoolComposition.AddTo(features, pool);

        Assert.Equal(1, features["bias"]);
        Assert.Equal(2, features["pool_kind_task"]);
        Assert.Equal(1, features["pool_kind_advice"]);
        Assert.Equal(0, features["pool_kind_insight"]);
        Assert.Equal(0, features["pool_kind_reminder"]);
        Assert.Equal(2, features["pool_source_llm"]);
        Assert.Equal(1, features["pool_source_task_direct"]);
        Assert.Equal(0, features["pool_source_fallback"]);
        Assert.Equal(8, features.Count);
    }
}
