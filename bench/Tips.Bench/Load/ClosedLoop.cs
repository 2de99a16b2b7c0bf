using System.Diagnostics;

namespace Tips.Bench.Load;

/// <summary>
/// The closed model, for saturation: <c>clients</c> loops, each sending its next request as soon as the previous one
/// answered, for the window. Throughput is the system's ceiling at that concurrency; latency is measured from each
/// actual send.
/// </summary>
internal static class ClosedLoop
{
    public static async Task<TimeSpan> RunAsync(int clients, TimeSpan duration, Func<long, Task> send, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var loops = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < end && !cancellationToken.IsCancellationRequested)
            {
                await send(Stopwatch.GetTimestamp());
            }
        }, cancellationToken));
        await Task.WhenAll(loops);
        cancellationToken.ThrowIfCancellationRequested();
        return Stopwatch.GetElapsedTime(start);
    }
}
