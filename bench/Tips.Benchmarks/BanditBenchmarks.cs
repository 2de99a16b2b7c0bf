using BenchmarkDotNet.Attributes;
using Tips.Api.Features.Bandit;
using Tips.Api.Features.Context;
using Tips.Api.Features.Recommendations;
using Tips.Contracts;

namespace Tips.Benchmarks;

/// <summary>
/// Stage 2 of <c>GET /tips</c> over a pool of 50 candidates, as <see cref="TipsRecommender"/> runs it: feature
/// vectors but for the clock (once per kept pool), predicted rewards with the request's clock, ε-greedy picks (grouped
/// by task), the coefficients solve of <see cref="BanditStore"/>
/// and the features logged with each served tip. The pool mixes task-direct, LLM and fallback candidates over a
/// ranked context of 50 tasks; the reward models hold a few thousand observations.
/// </summary>
[MemoryDiagnoser]
public class BanditBenchmarks
{
    private const int PoolSize = 50;
    private const double Epsilon = 0.10;

    private readonly BanditOptions _options = new();
    private readonly IRandomSource _random = new RandomSource(seed: 7);
    private IReadOnlyList<ContextTask> _tasks = [];
    private List<TipCandidate> _pool = [];
    private Dictionary<string, ContextTask> _tasksById = [];
    private DateTimeOffset _localTime;
    private RewardModel _global = new(BanditFeatures.Dimension);
    private RewardModel _user = new(BanditFeatures.Dimension);
    private double[] _theta = [];
    private double[][] _vectors = [];
    private double[] _predicted = [];
    private int[] _groups = [];
    private string _summaryJson = "";

    [GlobalSetup]
    public void Setup()
    {
        var now = SampleData.Now;
        _localTime = TimeZoneInfo.ConvertTime(now, SampleData.Zone);
        _tasks = TaskRanking.Rank(SampleData.Tasks(500), now, SampleData.Zone, maxTasks: 50);
        _tasksById = _tasks.ToDictionary(t => t.Task.Id, StringComparer.Ordinal);

        var taskDirect = TaskTipRules.Candidates(_tasks, now, limit: 25);
        var fallbacks = FallbackTips.All.Take(5).ToList();
        var kinds = Enum.GetValues<TipKind>();
        var llm = Enumerable.Range(1, PoolSize - taskDirect.Count - fallbacks.Count)
            .Select(i => new TipCandidate(
                $"llm:{i}", $"Model tip number {i}: one concrete next step.", kinds[i % kinds.Length], TipSource.Llm,
                "Fits the person's open tasks.", TaskId: i % 3 == 0 ? _tasks[i % _tasks.Count].Task.Id : null,
                Confidence: 0.6, Model: "tip-generator", PromptVersion: "v3"))
            .ToList();
        _pool = [.. llm, .. taskDirect, .. fallbacks];
        if (_pool.Count != PoolSize)
        {
            throw new InvalidOperationException($"The sample pool holds {_pool.Count} candidates, not {PoolSize}.");
        }

        // Reward models trained on a simulated history: a hidden linear reward plus noise.
        var history = new Random(11);
        var hidden = Enumerable.Range(0, BanditFeatures.Dimension).Select(_ => history.NextDouble() - 0.5).ToArray();
        _global = Train(history, hidden, 5_000);
        _user = Train(history, hidden, 80);
        _theta = _user.Solve(_options.Shrinkage, _global.Solve(_options.RidgeLambda));

        _vectors = Features();
        _predicted = Predict();
        _groups = KeptPools.TaskGroups(_pool);
        _summaryJson = PoolSummary.Of(_pool).ToJson();
    }

    /// <summary>The 50 feature vectors but for the clock, each candidate's task looked up: built once per kept pool.</summary>
    [Benchmark]
    public double[][] Features()
    {
        var vectors = new double[_pool.Count][];
        for (var i = 0; i < _pool.Count; i++)
        {
            var candidate = _pool[i];
            var task = candidate.TaskId is { } id && _tasksById.TryGetValue(id, out var t) ? t.Task : null;
            vectors[i] = BanditFeatures.Untimed(candidate, task);
        }
        return vectors;
    }

    /// <summary>θ·x for the 50 vectors, with the request's clock.</summary>
    [Benchmark]
    public double[] Predict()
    {
        var clock = BanditFeatures.Clock.At(_localTime);
        var predicted = new double[_vectors.Length];
        for (var i = 0; i < _vectors.Length; i++)
        {
            predicted[i] = clock.Predict(_theta, _vectors[i]);
        }
        return predicted;
    }

    [Benchmark]
    public Pick[] ChooseOne() => EpsilonGreedy.Choose(_predicted, 1, Epsilon, _random, _groups);

    [Benchmark]
    public Pick[] ChooseThree() => EpsilonGreedy.Choose(_predicted, 3, Epsilon, _random, _groups);

    /// <summary>All of Stage 2 for <c>limit=1</c> on a kept pool, as in <see cref="TipsRecommender"/>: the clock,
    /// predictions and the pick.</summary>
    [Benchmark]
    public Pick[] ScoreRequest() => EpsilonGreedy.Choose(Predict(), 1, Epsilon, _random, _groups);

    /// <summary>θ = (A + λI)⁻¹ b for the global model (Cholesky, 15 features).</summary>
    [Benchmark]
    public double[] Solve() => _global.Solve(_options.RidgeLambda);

    /// <summary>What <see cref="BanditStore.CoefficientsAsync"/> computes per request once its rows are read: the
    /// global θ, then the person's shrunk toward it.</summary>
    [Benchmark]
    public double[] SolveGlobalThenUser() => _user.Solve(_options.Shrinkage, _global.Solve(_options.RidgeLambda));

    /// <summary>Stage 3's <c>tip_scores.features</c> for one served tip: the vector by name, and the pool summary's JSON
    /// kept with the pool.</summary>
    [Benchmark]
    public string LogFeatures() =>
        LoggedFeatures.Write(BanditFeatures.Clock.At(_localTime).Complete(_vectors[0]), _summaryJson, PoolSize);

    private static RewardModel Train(Random random, double[] hidden, int observations)
    {
        var model = new RewardModel(BanditFeatures.Dimension);
        var x = new double[BanditFeatures.Dimension];
        for (var n = 0; n < observations; n++)
        {
            Array.Clear(x);
            x[0] = 1;
            x[1] = random.Next(2);
            x[2] = x[1] * random.NextDouble();
            x[3] = random.Next(4) / 3.0;
            var hour = random.NextDouble() * 2 * Math.PI;
            (x[4], x[5]) = (Math.Sin(hour), Math.Cos(hour));
            var day = random.Next(7) * 2 * Math.PI / 7;
            (x[6], x[7]) = (Math.Sin(day), Math.Cos(day));
            x[8 + random.Next(4)] = 1;
            x[12 + random.Next(3)] = 1;
            var reward = RewardModel.Predict(hidden, x) + (random.NextDouble() - 0.5) * 0.4;
            model.Add(x, reward);
        }
        return model;
    }
}
