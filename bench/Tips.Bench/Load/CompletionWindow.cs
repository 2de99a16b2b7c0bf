using System.Diagnostics;

namespace Tips.Bench.Load;

/// <summary>
/// Counts answers that arrive within the measured window, whichever request (warm-up or measured) they belong to:
/// with the warm-up feeding the same schedule, that is the steady-state throughput, unbiased by the requests still
/// in flight at either edge of the window.
/// </summary>
internal sealed class CompletionWindow(long start, long end)
{
    private long _answered;
    private long _succeeded;

    public TimeSpan Length => Stopwatch.GetElapsedTime(start, end);

    public long Answered => Interlocked.Read(ref _answered);

    public long Succeeded => Interlocked.Read(ref _succeeded);

    public void Record(Answer answer)
    {
        var now = Stopwatch.GetTimestamp();
        if (now < start || now > end || answer.Failure != FailureKind.None)
        {
            return;
        }
        Interlocked.Increment(ref _answered);
        if (answer.IsSuccess)
        {
            Interlocked.Increment(ref _succeeded);
        }
    }
}
