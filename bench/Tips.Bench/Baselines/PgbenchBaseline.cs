using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Tips.Bench.Stack;

namespace Tips.Bench.Baselines;

/// <summary>pgbench's answer; <see cref="Ran"/> false (with <see cref="Note"/>) when it could not run.</summary>
internal sealed record PgbenchResult(
    bool Ran,
    string Command,
    int Clients,
    int Threads,
    int Seconds,
    double Tps,
    double LatencyAverageMs,
    long Transactions,
    long Failed,
    string? Note);

/// <summary>
/// <c>pgbench -n -c C -j J -T S -f insert.sql</c> on the same Postgres, with the same client count: one single-row
/// INSERT per transaction into a scratch table shaped like a tip_scores row. The ceiling of a serve that must be
/// logged, when logging were all it did.
/// </summary>
internal static partial class PgbenchBaseline
{
    public const string Table = "bench_tip_log";

    private const string Script = """
        \set uid random(1, 100000)
        INSERT INTO bench_tip_log (user_id, content, propensity, features) VALUES ('bench-user-' || :uid, 'Block 25 minutes for the most overdue task before you open your inbox.', 0.82, '{"x":{"bias":1,"priority":0.66,"is_overdue":1,"hour_sin":0.5},"pool":{"k":9,"kinds":{"task":6,"advice":3}},"remaining":9}');

        """;

    public static async Task<PgbenchResult> RunAsync(BenchDatabase database, int clients, TimeSpan duration, string workDirectory,
        CancellationToken cancellationToken)
    {
        var seconds = Math.Max(1, (int)Math.Round(duration.TotalSeconds));
        var threads = Math.Max(1, Math.Min(clients, Environment.ProcessorCount));
        var admin = database.Admin;
        var script = Path.Combine(workDirectory, "pgbench-insert.sql");
        string[] args = ["-n", "-c", Text(clients), "-j", Text(threads), "-T", Text(seconds), "-f", script,
            "-h", admin.Host ?? "127.0.0.1", "-p", Text(admin.Port), "-U", admin.Username ?? "postgres", database.ScratchName];
        var command = "pgbench " + string.Join(' ', args.Select(a => a == script ? "pgbench-insert.sql" : a));

        if (Find() is not { } pgbench)
        {
            return new PgbenchResult(false, command, clients, threads, seconds, 0, 0, 0, 0,
                "pgbench is not installed (apt-get install postgresql-client); the INSERT baseline was skipped.");
        }

        await database.CreateScratchTableAsync(Table, cancellationToken);
        await File.WriteAllTextAsync(script, Script, cancellationToken);

        var start = new ProcessStartInfo(pgbench) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        if (admin.Password is { Length: > 0 } password)
        {
            start.Environment["PGPASSWORD"] = password;
        }
        using var process = Process.Start(start) ?? throw new BenchSetupException("Could not start pgbench.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var output = await stdout;
        if (process.ExitCode != 0 || TpsLine().Match(output) is not { Success: true } tps)
        {
            return new PgbenchResult(false, command, clients, threads, seconds, 0, 0, 0, 0,
                $"pgbench failed (exit {process.ExitCode}): {(await stderr + output).Trim()}");
        }

        return new PgbenchResult(true, command, clients, threads, seconds,
            Number(tps.Groups[1].Value),
            LatencyLine().Match(output) is { Success: true } latency ? Number(latency.Groups[1].Value) : 0,
            TransactionsLine().Match(output) is { Success: true } processed ? (long)Number(processed.Groups[1].Value) : 0,
            FailedLine().Match(output) is { Success: true } failed ? (long)Number(failed.Groups[1].Value) : 0,
            null);
    }

    private static string? Find()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
            : [];
        return onPath.Concat(installed).Select(d => Path.Combine(d, "pgbench")).FirstOrDefault(File.Exists);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsLine();

    [GeneratedRegex(@"latency average = ([0-9.]+) ms")]
    private static partial Regex LatencyLine();

    [GeneratedRegex(@"number of transactions actually processed: ([0-9]+)")]
    private static partial Regex TransactionsLine();

    [GeneratedRegex(@"number of failed transactions: ([0-9]+)")]
    private static partial Regex FailedLine();
}
