using System.Globalization;

namespace Tips.Bench.Options;

/// <summary>The outcome of reading the command line: options, or the first thing wrong with it, or a request for help.</summary>
internal sealed record ParseResult(BenchOptions? Options, string? Error, bool Help);

/// <summary>Reads <c>./tips bench</c>'s flags (<c>--name value</c> or <c>--name=value</c>) over the full or quick defaults.</summary>
internal static class OptionsParser
{
    public const string ServicesRootVariable = "TIPS_BENCH_SERVICES_ROOT";

    public const string Usage = """
        usage: ./tips bench [options]          load benchmark of GET /tips (bench/README.md)
               ./tips bench micro [args]       BenchmarkDotNet micro-benchmarks (bench/Tips.Benchmarks)

          --quick                  a smoke run of every scenario in a minute or two (fewer users, short windows)
          --scenario <names>       warm, soak, cold, todoist-slow, gateway-hanging or all (comma-separated or repeated;
                                   default all)
          --soak <s>               soak length in seconds (default 300; quick 15); 0 leaves the soak out, >0 adds it
          --soak-rate <rps>        the soak's fixed rate (default: --rate)
          --users <n>              warm users, each primed before measuring (default 2000; quick 300)
          --clients <n>            concurrent clients of saturation, /health/live and pgbench (default 32)
          --rate <rps>             warm fixed rate of GET /tips (default 800)
          --warmup <s>             warm-up before each measured window (default 10; quick 3)
          --tier-up <s>            before the warm windows, unmeasured traffic at --rate until Tips.Api's JIT has
                                   settled, for at most this long (default 180; quick 0: none)
          --duration <s>           measured warm fixed-rate window (default 30; quick 8)
          --saturation <s>         closed-loop window of warm and of each baseline (default 20; quick 5)
          --degraded-rate <rps>    fixed rate of cold, todoist-slow, gateway-hanging (default 20; quick 10)
          --degraded-duration <s>  their measured window (default 20; quick 5)
          --sample-every <s>       memory sampling interval of the soak (default 10; quick 3)
          --feedback <share>       share of served tips that get a feedback post, 0..1 (default 0.1)
          --gateway-latency <ms>   fake gateway latency outside the cold scenario (default 0)
          --cold-latency <ms>      fake gateway latency of the cold scenario (default 1000)
          --timeout <s>            a request unanswered by then is a timeout (default 15)
          --services-root <dir>    checkout whose Release build is started (default: this one; env TIPS_BENCH_SERVICES_ROOT)
          --api-setting N=V        extra Tips.Api setting, e.g. Recommendations__LlmDeadline=00:00:01 (repeatable)
          --serving-setting N=V    extra Tips.Serving setting (repeatable)
          --results <dir>          where the .json and .md go (default bench/results)
          --seed <n>               seed of the generated Todoist tasks (default 1)

        Exit code 0 when the run completed (whatever the numbers), 1 when the bench could not run, 2 for bad options.
        """;

    public static ParseResult Parse(IReadOnlyList<string> args, string? servicesRootFromEnvironment, string repositoryRoot)
    {
        var defaultRoot = servicesRootFromEnvironment is { Length: > 0 } fromEnvironment ? fromEnvironment : repositoryRoot;
        var results = Path.Combine(repositoryRoot, "bench", "results");
        var options = args.Contains("--quick") ? BenchOptions.QuickRun(defaultRoot, results) : BenchOptions.Full(defaultRoot, results);

        List<Scenario>? scenarios = null;
        bool? soakAsked = null;
        var api = new Dictionary<string, string>(StringComparer.Ordinal);
        var serving = new Dictionary<string, string>(StringComparer.Ordinal);

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                return new ParseResult(null, null, true);
            }
            if (arg == "--quick")
            {
                continue;
            }
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                return Fail($"unexpected argument '{arg}'");
            }

            var (name, value) = arg.IndexOf('=', StringComparison.Ordinal) is var eq and > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    return Fail($"{name} needs a value");
                }
                value = args[++i];
            }

            string? error = null;
            switch (name)
            {
                case "--scenario":
                    scenarios ??= [];
                    error = AddScenarios(scenarios, value);
                    break;
                case "--soak":
                    error = Seconds(name, value, 0, 86_400, out var soak);
                    options = options with { Soak = soak };
                    soakAsked = soak > TimeSpan.Zero;
                    break;
                case "--soak-rate":
                    error = Number(name, value, 1, 100_000, out var soakRate);
                    options = options with { SoakRate = soakRate };
                    break;
                case "--users":
                    error = Integer(name, value, 1, 100_000, out var users);
                    options = options with { Users = users };
                    break;
                case "--clients":
                    error = Integer(name, value, 1, 200, out var clients);
                    options = options with { Clients = clients };
                    break;
                case "--rate":
                    error = Number(name, value, 1, 100_000, out var rate);
                    options = options with { Rate = rate };
                    break;
                case "--warmup":
                    error = Seconds(name, value, 0, 3_600, out var warmup);
                    options = options with { Warmup = warmup };
                    break;
                case "--tier-up":
                    error = Seconds(name, value, 0, 3_600, out var tierUp);
                    options = options with { TierUp = tierUp };
                    break;
                case "--duration":
                    error = Seconds(name, value, 1, 3_600, out var duration);
                    options = options with { Duration = duration };
                    break;
                case "--saturation":
                    error = Seconds(name, value, 1, 3_600, out var saturation);
                    options = options with { Saturation = saturation };
                    break;
                case "--degraded-rate":
                    error = Number(name, value, 0.1, 1_000, out var degradedRate);
                    options = options with { DegradedRate = degradedRate };
                    break;
                case "--degraded-duration":
                    error = Seconds(name, value, 1, 3_600, out var degradedDuration);
                    options = options with { DegradedDuration = degradedDuration };
                    break;
                case "--sample-every":
                    error = Seconds(name, value, 1, 600, out var sampleEvery);
                    options = options with { SampleEvery = sampleEvery };
                    break;
                case "--feedback":
                    error = Number(name, value, 0, 1, out var feedback);
                    options = options with { FeedbackShare = feedback };
                    break;
                case "--gateway-latency":
                    error = Milliseconds(name, value, out var gatewayLatency);
                    options = options with { GatewayLatency = gatewayLatency };
                    break;
                case "--cold-latency":
                    error = Milliseconds(name, value, out var coldLatency);
                    options = options with { ColdLatency = coldLatency };
                    break;
                case "--timeout":
                    error = Seconds(name, value, 1, 600, out var timeout);
                    options = options with { RequestTimeout = timeout };
                    break;
                case "--services-root":
                    options = options with { ServicesRoot = value };
                    break;
                case "--results":
                    options = options with { ResultsDirectory = value };
                    break;
                case "--api-setting":
                    error = Setting(name, value, api);
                    break;
                case "--serving-setting":
                    error = Setting(name, value, serving);
                    break;
                case "--seed":
                    error = Integer(name, value, 0, int.MaxValue, out var seed);
                    options = options with { Seed = seed };
                    break;
                default:
                    return Fail($"unknown option '{name}'");
            }
            if (error is not null)
            {
                return Fail(error);
            }
        }

        var chosen = scenarios ?? [.. options.Scenarios];
        if (soakAsked == true && !chosen.Contains(Scenario.Soak))
        {
            chosen.Add(Scenario.Soak);
        }
        if (soakAsked == false || options.Soak == TimeSpan.Zero)
        {
            chosen.Remove(Scenario.Soak);
        }
        if (chosen.Count == 0)
        {
            return Fail("no scenario left to run (--soak 0 removed the only one)");
        }

        var root = Path.GetFullPath(options.ServicesRoot);
        if (!Directory.Exists(root))
        {
            return Fail($"--services-root '{options.ServicesRoot}' is not a directory (give a Tips checkout, e.g. a git worktree of an older commit)");
        }

        return new ParseResult(options with
        {
            Scenarios = [.. chosen.Distinct().Order()],
            ServicesRoot = root,
            ResultsDirectory = Path.GetFullPath(options.ResultsDirectory),
            ApiSettings = api,
            ServingSettings = serving,
        }, null, false);
    }

    private static ParseResult Fail(string message) => new(null, message, false);

    private static string? AddScenarios(List<Scenario> scenarios, string value)
    {
        foreach (var name in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (name.Equals("all", StringComparison.OrdinalIgnoreCase))
            {
                scenarios.AddRange(ScenarioNames.ByName.Values);
            }
            else if (ScenarioNames.ByName.TryGetValue(name, out var scenario))
            {
                scenarios.Add(scenario);
            }
            else
            {
                return $"--scenario: unknown scenario '{name}' (known: {ScenarioNames.All}, all)";
            }
        }
        return null;
    }

    private static string? Setting(string option, string value, Dictionary<string, string> settings)
    {
        var eq = value.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || value[..eq].Any(char.IsWhiteSpace))
        {
            return $"{option} takes Name=Value with the setting's environment name, e.g. RateLimits__TipsPerMinute=100000; got '{value}'";
        }
        settings[value[..eq]] = value[(eq + 1)..];
        return null;
    }

    private static string? Integer(string option, string value, int min, int max, out int result) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out result) && result >= min && result <= max
            ? null
            : $"{option} must be a whole number within {min}..{max}; got '{value}'";

    private static string? Number(string option, string value, double min, double max, out double result) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out result) && result >= min && result <= max
            ? null
            : $"{option} must be a number within {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}; got '{value}'";

    private static string? Seconds(string option, string value, double min, double max, out TimeSpan result)
    {
        var error = Number(option, value, min, max, out var seconds);
        result = TimeSpan.FromSeconds(seconds);
        return error is null ? null : error + " (seconds)";
    }

    private static string? Milliseconds(string option, string value, out TimeSpan result)
    {
        var error = Number(option, value, 0, 600_000, out var ms);
        result = TimeSpan.FromMilliseconds(ms);
        return error is null ? null : error + " (milliseconds)";
    }
}
