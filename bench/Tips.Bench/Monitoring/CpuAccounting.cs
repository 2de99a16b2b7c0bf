using System.Globalization;

namespace Tips.Bench.Monitoring;

/// <summary>
/// How the machine's CPU was spent over a window, in percent of all its cores: busy in total, by this run (the bench
/// process and everything it started, and the Postgres server it uses), by other processes, and taken by the
/// hypervisor from this virtual machine (steal). On a shared machine the last two say how much of the result is noise.
/// This run's share is split by part: Tips.Api, Tips.Serving, Postgres (the server and its backends) and the bench
/// process itself (the load generator and the fakes), so that a change in one part is not hidden by noise in another.
/// </summary>
internal sealed record CpuShare(
    double MachineBusyPercent, double OursPercent, double OthersPercent, double StealPercent, IReadOnlyList<string> TopOthers,
    double ApiPercent, double ServingPercent, double PostgresPercent, double BenchPercent)
{
    /// <summary>Milliseconds of the machine's CPU per request of <paramref name="requestsPerSecond"/> that
    /// <paramref name="percent"/> of its <paramref name="cores"/> stands for.</summary>
    public static double? MsPerRequest(double percent, int cores, double requestsPerSecond) =>
        requestsPerSecond > 0 ? percent / 100 * cores * 1000 / requestsPerSecond : null;
}

/// <summary>Reads /proc at the start and end of a window (Linux only; elsewhere every answer is null).</summary>
internal sealed class CpuAccounting(int benchPid, int postgresPort, int apiPid, int servingPid)
{
    public sealed record Snapshot(long Total, long Busy, long Steal, IReadOnlyDictionary<int, ProcessTicks> Processes);

    public sealed record ProcessTicks(int ParentPid, long Ticks);

    public Snapshot? Take()
    {
        try
        {
            var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var total = cpu.Take(8).Sum(); // user nice system idle iowait irq softirq steal
            var busy = total - cpu[3] - cpu[4];
            var processes = new Dictionary<int, ProcessTicks>();
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Read(pid) is { } ticks)
                {
                    processes[pid] = ticks;
                }
            }
            return new Snapshot(total, busy, cpu.Length > 7 ? cpu[7] : 0, processes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    public CpuShare? Between(Snapshot? before, Snapshot? after)
    {
        if (before is null || after is null || after.Total <= before.Total)
        {
            return null;
        }
        var total = (double)(after.Total - before.Total);
        var postgres = Tree(after, PostgresServers(after));
        var ours = Tree(after, [benchPid, .. postgres]);
        var grown = after.Processes
            .Select(p => (Pid: p.Key, Ticks: p.Value.Ticks - (before.Processes.TryGetValue(p.Key, out var b) ? b.Ticks : 0)))
            .Where(p => p.Ticks > 0)
            .ToList();
        var oursTicks = grown.Where(p => ours.Contains(p.Pid)).Sum(p => p.Ticks);
        double PercentOf(Func<int, bool> part) => Math.Round(grown.Where(p => part(p.Pid)).Sum(p => p.Ticks) / total * 100, 1);
        var busy = (after.Busy - before.Busy) / total * 100;
        var oursPercent = oursTicks / total * 100;
        var steal = (after.Steal - before.Steal) / total * 100;
        var top = grown.Where(p => !ours.Contains(p.Pid)).OrderByDescending(p => p.Ticks).Take(3)
            .Where(p => p.Ticks / total * 100 >= 1)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{Describe(p.Pid)} {p.Ticks / total * 100:0}%"))
            .ToList();
        return new CpuShare(Math.Round(busy, 1), Math.Round(oursPercent, 1), Math.Round(Math.Max(0, busy - oursPercent - steal), 1),
            Math.Round(steal, 1), top,
            PercentOf(pid => pid == apiPid), PercentOf(pid => pid == servingPid), PercentOf(postgres.Contains),
            PercentOf(pid => ours.Contains(pid) && pid != apiPid && pid != servingPid && !postgres.Contains(pid)));
    }

    /// <summary>The postmaster listening on the bench's Postgres port.</summary>
    private IEnumerable<int> PostgresServers(Snapshot snapshot) =>
        snapshot.Processes.Keys.Where(pid => CommandLine(pid) is { } command && command.Contains("postgres", StringComparison.Ordinal) &&
            command.Contains($"-p {postgresPort.ToString(CultureInfo.InvariantCulture)} ", StringComparison.Ordinal));

    /// <summary><paramref name="roots"/> and every process descended from them.</summary>
    private static HashSet<int> Tree(Snapshot snapshot, IEnumerable<int> roots)
    {
        var ours = new HashSet<int>(roots);
        bool added;
        do
        {
            added = false;
            foreach (var (pid, ticks) in snapshot.Processes)
            {
                if (!ours.Contains(pid) && ours.Contains(ticks.ParentPid))
                {
                    added |= ours.Add(pid);
                }
            }
        }
        while (added);
        return ours;
    }

    private static ProcessTicks? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // after "pid (comm) ": state ppid … utime (14th field overall) stime (15th)
            return new ProcessTicks(
                int.Parse(fields[1], CultureInfo.InvariantCulture),
                long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null; // gone meanwhile
        }
    }

    private static string? CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Describe(int pid)
    {
        var command = CommandLine(pid)?.Trim();
        if (string.IsNullOrEmpty(command))
        {
            return $"pid {pid}";
        }
        return command.Length > 70 ? command[..70] + "…" : command;
    }
}
