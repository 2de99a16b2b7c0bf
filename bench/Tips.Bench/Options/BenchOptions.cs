namespace Tips.Bench.Options;

/// <summary>Everything a run is told; see <see cref="OptionsParser.Usage"/> for the flags.</summary>
internal sealed record BenchOptions
{
    public required IReadOnlyList<Scenario> Scenarios { get; init; }

    public bool Quick { get; init; }

    /// <summary>Users of the warm and soak scenarios (each primed before measuring).</summary>
    public int Users { get; init; }

    /// <summary>Concurrent clients of every saturation run, of the /health/live baseline and of pgbench.</summary>
    public int Clients { get; init; }

    /// <summary>The warm fixed rate (GET /tips per second).</summary>
    public double Rate { get; init; }

    public TimeSpan Warmup { get; init; }

    /// <summary>
    /// The longest the warm scenario drives unmeasured traffic before its first window, until Tips.Api's JIT has
    /// settled (<see cref="Scenarios.Windows.TierUpAsync"/>); zero: no such wait.
    /// </summary>
    public TimeSpan TierUp { get; init; }

    /// <summary>The measured fixed-rate window of the warm scenario.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>The closed-loop window of the warm scenario, and of each baseline.</summary>
    public TimeSpan Saturation { get; init; }

    /// <summary>The fixed rate of cold, todoist-slow and gateway-hanging.</summary>
    public double DegradedRate { get; init; }

    public TimeSpan DegradedDuration { get; init; }

    /// <summary>Zero: no soak.</summary>
    public TimeSpan Soak { get; init; }

    /// <summary>The soak's fixed rate; null: the warm <see cref="Rate"/>.</summary>
    public double? SoakRate { get; init; }

    public TimeSpan SampleEvery { get; init; }

    /// <summary>The share of served tips that get a feedback post.</summary>
    public double FeedbackShare { get; init; }

    /// <summary>The fake gateway's latency outside the cold scenario.</summary>
    public TimeSpan GatewayLatency { get; init; }

    /// <summary>The fake gateway's latency in the cold scenario.</summary>
    public TimeSpan ColdLatency { get; init; }

    /// <summary>A request without an answer by then counts as a timeout.</summary>
    public TimeSpan RequestTimeout { get; init; }

    /// <summary>The checkout whose Release build is benchmarked.</summary>
    public required string ServicesRoot { get; init; }

    public required string ResultsDirectory { get; init; }

    /// <summary>Extra <c>Name=Value</c> settings of Tips.Api and Tips.Serving; they win over the bench's own.</summary>
    public IReadOnlyDictionary<string, string> ApiSettings { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> ServingSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>Seeds the generated tasks, so two runs serve the same data.</summary>
    public int Seed { get; init; }

    public bool Runs(Scenario scenario) => Scenarios.Contains(scenario);

    /// <summary>Users needed by a degraded scenario: one fresh user per request, warm-up included.</summary>
    public int DegradedUsers => (int)Math.Ceiling(DegradedRate * (DegradedWarmup + DegradedDuration).TotalSeconds) + 10;

    public TimeSpan DegradedWarmup => TimeSpan.FromSeconds(Math.Min(Warmup.TotalSeconds, 5));

    public static BenchOptions Full(string servicesRoot, string resultsDirectory) => new()
    {
        Scenarios = [Scenario.Warm, Scenario.Cold, Scenario.TodoistSlow, Scenario.GatewayHanging, Scenario.Soak],
        Users = 2000,
        Clients = 32,
        Rate = 800,
        Warmup = TimeSpan.FromSeconds(10),
        TierUp = TimeSpan.FromSeconds(180),
        Duration = TimeSpan.FromSeconds(30),
        Saturation = TimeSpan.FromSeconds(20),
        DegradedRate = 20,
        DegradedDuration = TimeSpan.FromSeconds(20),
        Soak = TimeSpan.FromSeconds(300),
        SampleEvery = TimeSpan.FromSeconds(10),
        FeedbackShare = 0.10,
        GatewayLatency = TimeSpan.Zero,
        ColdLatency = TimeSpan.FromSeconds(1),
        RequestTimeout = TimeSpan.FromSeconds(15),
        ServicesRoot = servicesRoot,
        ResultsDirectory = resultsDirectory,
        Seed = 1,
    };

    /// <summary>A smoke run of every scenario in a minute or two: the same shape, fewer users, short windows.</summary>
    public static BenchOptions QuickRun(string servicesRoot, string resultsDirectory) => Full(servicesRoot, resultsDirectory) with
    {
        Quick = true,
        Users = 300,
        Warmup = TimeSpan.FromSeconds(3),
        TierUp = TimeSpan.Zero,
        Duration = TimeSpan.FromSeconds(8),
        Saturation = TimeSpan.FromSeconds(5),
        DegradedRate = 10,
        DegradedDuration = TimeSpan.FromSeconds(5),
        Soak = TimeSpan.FromSeconds(15),
        SampleEvery = TimeSpan.FromSeconds(3),
    };
}
