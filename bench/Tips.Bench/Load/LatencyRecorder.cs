using System.Globalization;

namespace Tips.Bench.Load;

/// <summary>
/// Every latency of a window, kept exactly (a few hundred thousand doubles at most) and sorted once at the end, so the
/// percentiles are the true order statistics (nearest rank), not bucket estimates.
/// </summary>
internal sealed class LatencyRecorder
{
    /// <summary>The first few error answers are kept, to show what went wrong.</summary>
    private const int MaxErrorSamples = 5;

    private readonly Lock _gate = new();
    private readonly List<double> _milliseconds = [];
    private readonly Dictionary<int, long> _statuses = [];
    private readonly List<string> _errorSamples = [];
    private long _timeouts;
    private long _transportErrors;
    private long _notSent;

    public void Add(Answer answer, TimeSpan latency)
    {
        lock (_gate)
        {
            switch (answer.Failure)
            {
                case FailureKind.Timeout:
                    _timeouts++;
                    return;
                case FailureKind.Transport:
                    _transportErrors++;
                    return;
                case FailureKind.NotSent:
                    _notSent++;
                    return;
            }
            _milliseconds.Add(latency.TotalMilliseconds);
            _statuses[answer.Status] = _statuses.GetValueOrDefault(answer.Status) + 1;
            if (!answer.IsSuccess && _errorSamples.Count < MaxErrorSamples)
            {
                var body = answer.Body is null ? "" : System.Text.Encoding.UTF8.GetString(answer.Body);
                _errorSamples.Add($"{answer.Status}: {(body.Length > 300 ? body[..300] + "…" : body)}");
            }
        }
    }

    /// <param name="window">The measured window's length.</param>
    /// <param name="completions">Answers that arrived within the window (fixed rate); without it, every answer
    /// recorded counts (closed loop, where the window is from first send to last answer).</param>
    public LatencyStats Summarize(TimeSpan window, CompletionWindow? completions = null)
    {
        double[] sorted;
        Dictionary<int, long> statuses;
        long timeouts, transport, notSent;
        string[] errorSamples;
        lock (_gate)
        {
            errorSamples = [.. _errorSamples];
            sorted = [.. _milliseconds];
            statuses = new Dictionary<int, long>(_statuses);
            timeouts = _timeouts;
            transport = _transportErrors;
            notSent = _notSent;
        }
        Array.Sort(sorted);

        var answered = sorted.Length;
        var succeeded = statuses.Where(s => s.Key is >= 200 and < 300).Sum(s => s.Value);
        var seconds = Math.Max(window.TotalSeconds, 1e-9);
        return new LatencyStats(
            answered + timeouts + transport + notSent,
            answered,
            succeeded,
            statuses.Where(s => s.Key >= 500).Sum(s => s.Value),
            timeouts,
            transport,
            notSent,
            statuses.OrderBy(s => s.Key).ToDictionary(s => s.Key.ToString(CultureInfo.InvariantCulture), s => s.Value),
            window.TotalSeconds,
            (completions?.Answered ?? answered) / seconds,
            (completions?.Succeeded ?? succeeded) / seconds,
            Percentile(sorted, 0.50),
            Percentile(sorted, 0.95),
            Percentile(sorted, 0.99),
            answered == 0 ? 0 : sorted[^1],
            answered == 0 ? 0 : sorted.Average(),
            errorSamples);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
