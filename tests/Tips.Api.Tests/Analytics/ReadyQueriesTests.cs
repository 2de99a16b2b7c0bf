using System.Text.RegularExpressions;
using Tips.Api.Tests.Support;
using Tips.Contracts;

namespace Tips.Api.Tests.Analytics;

/// <summary>A season of logs ending at the database's clock, made once for all the ready queries.</summary>
public sealed class SeasonOfLogs : IAsyncLifetime
{
    public string Analyst { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var owner = await TestDatabase.CreateAsync();
        // The queries speak of now(): the logs end at the database's clock.
        var now = new DateTimeOffset((DateTime)(await TipLog.QueryAsync(owner, "SELECT now() AS now")).Single()["now"]!);
        await TipLog.WriteAsync(owner, ReadyQueriesTests.Season(now, out var feedback), feedback);
        Analyst = await TipLog.AnalystConnectionStringAsync(owner);
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>The ten ready queries of docs/analytics.md run as tips_analyst and answer, on a season of logs.</summary>
public sealed partial class ReadyQueriesTests(SeasonOfLogs logs) : IClassFixture<SeasonOfLogs>
{
    public static TheoryData<int> Numbers => [.. Enumerable.Range(1, 10)];

    [Fact]
    public void The_docs_hold_ten_ready_queries() => Assert.Equal(10, ReadyQueries().Count);

    [Theory]
    [MemberData(nameof(Numbers))]
    public async Task A_ready_query_answers(int number)
    {
        var rows = await TipLog.QueryAsync(logs.Analyst, ReadyQueries()[number - 1]);

        Assert.NotEmpty(rows);
    }

    /// <summary>Every ```sql block under "## Ready queries", in order (bench/analytics/run.sh reads them the same way).</summary>
    private static List<string> ReadyQueries()
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "analytics.md"));
        var start = docs.IndexOf("\n## Ready queries\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/analytics.md has a '## Ready queries' section");
        var end = docs.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = docs[start..(end < 0 ? docs.Length : end)];
        return [.. SqlBlock().Matches(section).Select(m => m.Groups[1].Value)];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tips.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Tips.sln not found above the test binaries.");
    }

    internal static List<ServedTip> Season(DateTimeOffset now, out List<PostedFeedback> feedback)
    {
        var random = new Random(3);
        var tips = new List<ServedTip>();
        feedback = [];
        var kinds = Enum.GetValues<TipKind>();
        for (var i = 0; i < 6_000; i++)
        {
            var llm = random.NextDouble() < 0.6;
            var kind = llm ? kinds[random.Next(kinds.Length)] : TipKind.Task;
            var source = llm ? TipSource.Llm : TipSource.TaskDirect;
            var k = random.Next(2, 6);
            var pool = Enumerable.Range(0, k - 1).Select(_ => new TipCandidate("c", "x", kinds[random.Next(kinds.Length)], TipSource.Llm, "r"))
                .Append(new TipCandidate("c", "x", kind, source, "r"));
            var tip = new ServedTip
            {
                ServedAt = now.AddMinutes(-random.Next(10, 100 * 24 * 60)),
                Kind = kind,
                Source = source,
                LlmModel = llm ? "model-a" : null,
                PromptVersion = llm ? (random.Next(2) == 0 ? "p1" : "p2") : null,
                Explored = random.NextDouble() < 0.1,
                Propensity = 1.0 / k,
                PredictedReward = random.NextDouble(),
                CandidateCount = k,
                Features = ServedTip.FeaturesWithPool(pool),
            };
            tips.Add(tip);
            if (random.NextDouble() < 0.6)
            {
                var action = (FeedbackAction)random.Next(5);
                var at = tip.ServedAt.AddMinutes(random.Next(1, 600));
                if (at < now)
                {
                    feedback.Add(new PostedFeedback(tip.Id, action, TipLog.RewardMilli(action), at));
                }
            }
        }
        return tips;
    }

    [GeneratedRegex(@"```sql\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex SqlBlock();
}
