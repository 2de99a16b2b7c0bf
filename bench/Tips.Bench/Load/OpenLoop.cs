using System.Diagnostics;

namespace Tips.Bench.Load;

/// <summary>How an open-loop window went: what was scheduled, how long until the last answer, how late the scheduler ran.</summary>
internal sealed record OpenLoopRun(long Scheduled, TimeSpan Elapsed, TimeSpan MaxSchedulerLag);

/// <summary>
/// The open model: request <c>i</c> is due at <c>start + i/rate</c>, whether or not earlier ones have answered, and
/// its latency is measured from that intended time. When the system (or this process) stalls, requests pile up and
/// their waiting counts, instead of the generator slowing down with the system and hiding the stall (coordinated
/// omission). Each request runs on the thread pool, so a slow one never delays the schedule.
/// </summary>
internal static class OpenLoop
{
    /// <param name="send">Sends one request; gets the <see cref="Stopwatch"/> timestamp it was due at.</param>
    /// <param name="notSent">Called instead of <paramref name="send"/> while <paramref name="maxInFlight"/> requests are open.</param>
    /// <param name="start">The <see cref="Stopwatch"/> timestamp the first request is due at.</param>
    public static async Task<OpenLoopRun> RunAsync(double rate, TimeSpan duration, Func<long, Task> send, Action<long> notSent, int maxInFlight,
        long start, CancellationToken cancellationToken)
    {
        var total = (long)Math.Round(rate * duration.TotalSeconds);
        var interval = Stopwatch.Frequency / rate;
        var inFlight = new InFlight();
        long maxLag = 0;

        for (long next = 0; next < total;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = Stopwatch.GetTimestamp();
            long due;
            while (next < total && (due = start + (long)(next * interval)) <= now)
            {
                maxLag = Math.Max(maxLag, now - due);
                var intended = due;
                if (inFlight.Count > maxInFlight)
                {
                    notSent(intended);
                }
                else
                {
                    inFlight.Launch(() => send(intended));
                }
                next++;
            }
            if (next < total)
            {
                var wait = Stopwatch.GetElapsedTime(now, start + (long)(next * interval));
                await Task.Delay(wait > TimeSpan.FromMilliseconds(1) ? wait : TimeSpan.FromMilliseconds(1), cancellationToken);
            }
        }

        await inFlight.DrainAsync();
        return new OpenLoopRun(total, Stopwatch.GetElapsedTime(start), Stopwatch.GetElapsedTime(0, maxLag));
    }

    /// <summary>Counts requests still running, without keeping their tasks.</summary>
    private sealed class InFlight
    {
        private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _count = 1; // the scheduler's own hold, released by DrainAsync

        public long Count => Interlocked.Read(ref _count) - 1;

        public void Launch(Func<Task> send)
        {
            Interlocked.Increment(ref _count);
            _ = Task.Run(async () =>
            {
                try
                {
                    await send();
                }
                finally
                {
                    Release();
                }
            });
        }

        public Task DrainAsync()
        {
            Release();
            return _drained.Task;
        }

        private void Release()
        {
            if (Interlocked.Decrement(ref _count) == 0)
            {
                _drained.TrySetResult();
            }
        }
    }
}
