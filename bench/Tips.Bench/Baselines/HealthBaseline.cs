using System.Diagnostics;
using Tips.Bench.Load;

namespace Tips.Bench.Baselines;

/// <summary>
/// <c>GET /health/live</c> of Tips.Api at saturation with the same clients as the warm saturation: the ceiling of the
/// web stack on this machine (Kestrel, middleware, this load generator), with no work behind it.
/// </summary>
internal static class HealthBaseline
{
    public const string Path = "/health/live";

    public static async Task<LatencyStats> RunAsync(Uri api, TimeSpan timeout, int clients, TimeSpan duration, CancellationToken cancellationToken)
    {
        var recorder = new LatencyRecorder();
        var elapsed = await ClosedLoop.RunAsync(api, timeout, clients, duration, (connection, sent) =>
        {
            var answer = connection.Send("GET", Path, null, null, readBody: false);
            recorder.Add(answer, Stopwatch.GetElapsedTime(sent));
            return ValueTask.CompletedTask;
        }, cancellationToken);
        return recorder.Summarize(elapsed);
    }
}
