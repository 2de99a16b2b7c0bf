using System.Diagnostics;
using System.Globalization;
using Tips.Bench.Load;
using Tips.Bench.Options;
using Tips.Bench.Reporting;
using Tips.Bench.Scenarios;
using Tips.Bench.Seeding;
using Tips.Bench.Stack;
using Tips.TestSupport;

namespace Tips.Bench;

/// <summary>One run: start the stack, seed and prime users, run the chosen scenarios in order, write the report.</summary>
internal static class BenchRunner
{
    public static async Task<int> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        var started = time.GetUtcNow();
        var stamp = started.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var clock = Stopwatch.StartNew();
        var machine = MachineInfo.Current();
        var build = ServiceBuild.Locate(options.ServicesRoot);
        var logDirectory = Path.Combine(Repository.Root, ".tips", "bench", stamp);
        PruneOldLogs(Path.GetDirectoryName(logDirectory)!);

        await using var stack = await BenchStack.StartAsync(options, build, logDirectory, cancellationToken);
        using var client = new LoadClient(stack.Api.Url, options.RequestTimeout);
        using var context = new BenchContext(options, stack, client, logDirectory, cancellationToken);

        var pools = await SeedAsync(context);
        var slowPrimedAt = DateTimeOffset.MinValue;
        if (pools.TryGetValue(Scenario.TodoistSlow, out var slowPool))
        {
            Progress.Step($"Priming the {slowPool.Users.Count} todoist-slow users (their snapshots must be stale when that scenario runs)");
            await UserSeeder.PrimeAsync(slowPool, client, UserSeeder.PrimeParallelism, cancellationToken);
            slowPrimedAt = time.GetUtcNow();
        }
        var primeSeconds = 0.0;
        if (pools.TryGetValue(Scenario.Warm, out var warmPool))
        {
            Progress.Step($"Priming {warmPool.Users.Count} warm users (one GET /tips each: task snapshot and LLM candidates cached)");
            var prime = Stopwatch.StartNew();
            await UserSeeder.PrimeAsync(warmPool, client, UserSeeder.PrimeParallelism, cancellationToken);
            primeSeconds = prime.Elapsed.TotalSeconds;
            Progress.Say($"{primeSeconds:0.0} s");
        }

        WarmResult? warm = null;
        SoakResult? soak = null;
        var degraded = new List<DegradedResult>();
        foreach (var scenario in options.Scenarios)
        {
            stack.EnsureServicesRunning();
            switch (scenario)
            {
                case Scenario.Warm:
                    warm = await WarmScenario.RunAsync(context, warmPool!, primeSeconds);
                    break;
                case Scenario.Soak:
                    soak = await SoakScenario.RunAsync(context, warmPool!);
                    break;
                case Scenario.Cold:
                    degraded.Add(await DegradedScenario.ColdAsync(context, pools[Scenario.Cold]));
                    break;
                case Scenario.TodoistSlow:
                    degraded.Add(await DegradedScenario.TodoistSlowAsync(context, slowPool!, slowPrimedAt));
                    break;
                case Scenario.GatewayHanging:
                    degraded.Add(await DegradedScenario.GatewayHangingAsync(context, pools[Scenario.GatewayHanging]));
                    break;
            }
        }

        var report = new BenchReport(
            started.ToString("u", CultureInfo.InvariantCulture),
            time.GetUtcNow().ToString("u", CultureInfo.InvariantCulture),
            Math.Round(clock.Elapsed.TotalSeconds, 1),
            machine,
            new ServicesInfo(build.Root, build.Commit, stack.ApiSettings.Printable(), stack.ServingSettings.Printable(),
                options.ApiSettings, options.ServingSettings, context.LlmDeadline.TotalMilliseconds, context.TodoistDeadline.TotalMilliseconds),
            stack.Postgres,
            Settings(options),
            warm,
            soak,
            degraded,
            GoalBook.Evaluate(warm, soak, degraded),
            []);
        report = report with { Notes = Notes.For(report, stack, context) };

        var markdown = MarkdownReport.Render(report);
        var (json, md) = await ReportFiles.WriteAsync(report, markdown, options.ResultsDirectory, stamp);
        Progress.Step($"Wrote {json} and {md}");
        Console.WriteLine();
        Console.Write(markdown);
        return 0;
    }

    /// <summary>The users each chosen scenario needs; a degraded scenario gets one fresh user per request.</summary>
    private static async Task<Dictionary<Scenario, UserPool>> SeedAsync(BenchContext context)
    {
        var options = context.Options;
        var wanted = new List<(Scenario Scenario, string Name, int Count)>();
        if (options.Runs(Scenario.Warm) || options.Runs(Scenario.Soak))
        {
            wanted.Add((Scenario.Warm, "warm", options.Users));
        }
        foreach (var (scenario, name) in new[] { (Scenario.Cold, "cold"), (Scenario.TodoistSlow, "slow"), (Scenario.GatewayHanging, "hang") })
        {
            if (options.Runs(scenario))
            {
                wanted.Add((scenario, name, options.DegradedUsers));
            }
        }

        Progress.Step($"Seeding {wanted.Sum(w => w.Count)} users ({string.Join(", ", wanted.Select(w => $"{w.Count} {w.Name}"))}): " +
            "Todoist accounts of 20–60 tasks, connected through PUT /integrations/todoist");
        var clock = Stopwatch.StartNew();
        var random = new Random(options.Seed);
        var pools = new Dictionary<Scenario, UserPool>();
        foreach (var (scenario, name, count) in wanted)
        {
            pools[scenario] = await UserSeeder.SeedAsync(name, count, context.Stack, context.Client, random, context.CancellationToken);
        }
        if (pools.TryGetValue(Scenario.Warm, out var warm))
        {
            pools[Scenario.Soak] = warm;
        }
        Progress.Say($"{clock.Elapsed.TotalSeconds:0.0} s");
        return pools;
    }

    /// <summary>Service logs of an overloaded run can be large: keep those of the last few runs only.</summary>
    private static void PruneOldLogs(string directory)
    {
        const int Keep = 2;
        if (!Directory.Exists(directory))
        {
            return;
        }
        foreach (var old in Directory.GetDirectories(directory).Order(StringComparer.Ordinal).SkipLast(Keep))
        {
            Directory.Delete(old, recursive: true);
        }
    }

    private static RunSettings Settings(BenchOptions o) => new(
        [.. o.Scenarios.Select(ScenarioNames.Of)], o.Quick, o.Users, o.Clients, o.Rate, o.Warmup.TotalSeconds, o.Duration.TotalSeconds,
        o.Saturation.TotalSeconds, o.DegradedRate, o.DegradedDuration.TotalSeconds, o.Soak.TotalSeconds, o.SoakRate ?? o.Rate, o.SampleEvery.TotalSeconds,
        o.FeedbackShare, o.GatewayLatency.TotalMilliseconds, o.ColdLatency.TotalMilliseconds, o.RequestTimeout.TotalSeconds, o.Seed);
}
