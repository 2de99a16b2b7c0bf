using System.Diagnostics;

namespace Tips.Bench.Load;

/// <summary>
/// The closed model, for saturation: <c>clients</c> loops, each on a thread of its own with a connection of its own
/// (<see cref="BlockingHttpConnection"/>), sending its next request as soon as the previous one answered, for the
/// window. Throughput is the system's ceiling at that concurrency; latency is measured from each actual send.
/// </summary>
internal static class ClosedLoop
{
    public static async Task<TimeSpan> RunAsync(Uri baseAddress, TimeSpan timeout, int clients, TimeSpan duration,
        Func<BlockingHttpConnection, long, ValueTask> send, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var loops = Enumerable.Range(0, clients).Select(_ => Task.Factory.StartNew(() =>
        {
            using var connection = new BlockingHttpConnection(baseAddress, timeout);
            // Cancelling closes the connection, which ends a receive blocked on it.
            using var cancelled = cancellationToken.Register(connection.Dispose);
            while (Stopwatch.GetTimestamp() < end && !cancellationToken.IsCancellationRequested)
            {
                var sent = send(connection, Stopwatch.GetTimestamp());
                // The connection answers synchronously, so this does not block beyond the request itself.
                if (!sent.IsCompletedSuccessfully)
                {
                    sent.AsTask().GetAwaiter().GetResult();
                }
            }
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();
        await Task.WhenAll(loops);
        cancellationToken.ThrowIfCancellationRequested();
        return Stopwatch.GetElapsedTime(start);
    }
}
