using System.Runtime.InteropServices;
using Tips.Bench;
using Tips.Bench.Options;
using Tips.Bench.Stack;
using Tips.TestSupport;

// ./tips bench: see bench/README.md. Exit 0 when the run completed whatever it measured, 1 when it could not run,
// 2 for bad options, 130 when interrupted. Every child process and the throwaway cluster go away in all four cases.
var parsed = OptionsParser.Parse(args, Environment.GetEnvironmentVariable(OptionsParser.ServicesRootVariable), Repository.Root);
if (parsed.Help)
{
    Console.WriteLine(OptionsParser.Usage);
    return 0;
}
if (parsed.Options is not { } options)
{
    await Console.Error.WriteLineAsync($"tips bench: {parsed.Error}\n\n{OptionsParser.Usage}");
    return 2;
}

// The load generator must not stop the world while it measures: background collections only.
System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.SustainedLowLatency;

using var stop = new CancellationTokenSource();
void Interrupt(string why)
{
    if (!stop.IsCancellationRequested)
    {
        Progress.Step($"{why}: stopping the services and cleaning up");
        stop.Cancel();
    }
}
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    Interrupt("Interrupted");
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
{
    signal.Cancel = true;
    Interrupt("Terminated");
});

try
{
    return await BenchRunner.RunAsync(options, stop.Token);
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("tips bench: interrupted; no results written.");
    return 130;
}
catch (BenchSetupException e)
{
    await Console.Error.WriteLineAsync($"tips bench: {e.Message}");
    return 1;
}
catch (Exception e)
{
    await Console.Error.WriteLineAsync($"tips bench: the run failed: {e}");
    return 1;
}
