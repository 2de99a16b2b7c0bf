namespace Tips.Bench.Load;

/// <summary>
/// One measured window of one kind of request. Latencies (ms) are over answered requests, whatever their status;
/// timeouts, broken connections and requests never sent (the generator at its cap of open requests) are counted apart. Throughput is answered requests per second of the window.
/// </summary>
internal sealed record LatencyStats(
    long Requests,
    long Answered,
    long Succeeded,
    long ServerErrors,
    long Timeouts,
    long TransportErrors,
    long NotSent,
    IReadOnlyDictionary<string, long> Statuses,
    double WindowSeconds,
    double Throughput,
    double SuccessThroughput,
    double P50Ms,
    double P95Ms,
    double P99Ms,
    double MaxMs,
    double MeanMs,
    IReadOnlyList<string> ErrorSamples)
{
    /// <summary>Non-2xx answers, timeouts, broken connections and requests not sent.</summary>
    public long Errors => Requests - Succeeded;

}
