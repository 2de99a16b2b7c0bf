using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;

namespace Tips.Benchmarks;

/// <summary>
/// One short job (3 warm-up and 10 measured iterations in one process), so that the whole suite runs in a few minutes
/// on two cores; GitHub markdown reports only, written to <c>bench/results/micro/results/</c>.
/// <c>--artifacts &lt;dir&gt;</c> on the command line still wins.
/// </summary>
internal static class BenchConfig
{
    public static IConfig Create()
    {
        var config = ManualConfig.CreateEmpty()
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(ConsoleLogger.Default)
            .AddAnalyser([.. DefaultConfig.Instance.GetAnalysers()])
            .AddValidator([.. DefaultConfig.Instance.GetValidators()])
            .AddExporter(MarkdownExporter.GitHub)
            .AddJob(Job.ShortRun.WithWarmupCount(3).WithIterationCount(10).WithId("Short"))
            // The generated runner project rebuilds the services; on a busy two-core machine that outlasts the 2 min default.
            .WithBuildTimeout(TimeSpan.FromMinutes(10));
        return RepositoryRoot() is { } root
            ? config.WithArtifactsPath(Path.Combine(root, "bench", "results", "micro"))
            : config;
    }

    /// <summary>The checkout the benchmarks were built in: the nearest folder above the binaries with Tips.sln.</summary>
    private static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tips.sln")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
