using System.Runtime.InteropServices;

namespace Tips.Bench.Reporting;

/// <summary>The machine a run measured: results of different machines compare only as ratios to the baselines.</summary>
internal sealed record MachineInfo(int Cores, string Cpu, double MemoryGb, string Os, string Runtime, string LoadAverageAtStart)
{
    public static MachineInfo Current() => new(
        Environment.ProcessorCount,
        ProcLine("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
        MemTotalGb(),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        Read("/proc/loadavg")?.Split(' ').Take(3) is { } load ? string.Join(' ', load) : "unknown");

    private static string? ProcLine(string path, string key) =>
        Read(path)?.Split('\n').FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?.Split(':', 2)[1].Trim();

    private static double MemTotalGb() =>
        ProcLine("/proc/meminfo", "MemTotal") is { } text && double.TryParse(text.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture, out var kb)
            ? Math.Round(kb / 1024 / 1024, 1)
            : 0;

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
