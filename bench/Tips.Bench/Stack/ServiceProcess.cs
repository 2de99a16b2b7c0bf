using System.Diagnostics;
using System.Globalization;

namespace Tips.Bench.Stack;

/// <summary>
/// One service started as <c>dotnet &lt;dll&gt; --urls &lt;url&gt;</c> from its build output (so its appsettings.json is
/// read), writing its log straight to a file, and guarded by a watchdog that stops it if the bench dies without
/// cleaning up (killed, crashed).
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    // exec: the shell becomes the service, so the pid is the service's own (for /proc/<pid>/status).
    private const string Launch = "exec dotnet \"$0\" --urls \"$1\" </dev/null >>\"$2\" 2>&1";

    private const string Watchdog = """
        exec </dev/null >/dev/null 2>&1
        parent=$1; child=$2
        while kill -0 "$parent" && kill -0 "$child"; do sleep 1; done
        if kill -0 "$child"; then
          kill -TERM "$child"; sleep 5; kill -KILL "$child"
        fi
        """;

    private readonly Process _process;

    private ServiceProcess(string name, Process process, Uri url, string logPath)
    {
        Name = name;
        _process = process;
        Url = url;
        LogPath = logPath;
    }

    public string Name { get; }

    public Uri Url { get; }

    public string LogPath { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public static ServiceProcess Start(string name, string dll, Uri url, IReadOnlyDictionary<string, string> environment, string logPath)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-c", Launch, dll, url.ToString().TrimEnd('/'), logPath })
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new BenchSetupException($"Could not start {name} (dotnet {dll}).");
        StartWatchdog(process.Id);
        return new ServiceProcess(name, process, url, logPath);
    }

    /// <summary>Waits until <c>GET /health/ready</c> answers 2xx; fails with the log's tail when the service exits or
    /// does not get ready in time.</summary>
    public async Task WaitReadyAsync(HttpClient http, TimeSpan within, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            if (HasExited)
            {
                throw new BenchSetupException($"{Name} exited with code {_process.ExitCode} while starting. Its log ({LogPath}) ends:\n{LogTail(30)}");
            }
            try
            {
                using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(probe.Token, cancellationToken);
                using var response = await http.GetAsync(new Uri(Url, "/health/ready"), linked.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // not listening yet
            }
            await Task.Delay(200, cancellationToken);
        }
        throw new BenchSetupException($"{Name} did not become ready at {Url}health/ready within {within.TotalSeconds:0} s. Its log ({LogPath}) ends:\n{LogTail(30)}");
    }

    public string LogTail(int lines)
    {
        try
        {
            return string.Join('\n', File.ReadLines(LogPath).TakeLast(lines));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    /// <summary>SIGTERM (ASP.NET Core shuts down gracefully), then SIGKILL after 10 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signal("TERM", _process.Id);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }
        _process.Dispose();
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, pid.ToString(CultureInfo.InvariantCulture) } });
        kill?.WaitForExit();
    }

    private static void StartWatchdog(int child)
    {
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
        foreach (var arg in new[] { "sh", "-c", Watchdog, "watchdog", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), child.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }
        using var watchdog = Process.Start(start) ?? throw new BenchSetupException("Could not start the watchdog of a service process.");
    }
}
