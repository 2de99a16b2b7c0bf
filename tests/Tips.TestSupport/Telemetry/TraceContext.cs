using System.Diagnostics;

namespace Tips.TestSupport.Telemetry;

/// <summary>A W3C trace context a test starts a request with, to find the request's trace afterwards.</summary>
public sealed record TraceContext(string TraceId, string SpanId)
{
    /// <summary>The <c>traceparent</c> header value (sampled).</summary>
    public string TraceParent => $"00-{TraceId}-{SpanId}-01";

    public static TraceContext New() =>
        new(ActivityTraceId.CreateRandom().ToHexString(), ActivitySpanId.CreateRandom().ToHexString());

    /// <summary>The trace id inside a <c>traceparent</c> (or <c>traceresponse</c>) header, or null when it is not one.</summary>
    public static string? TraceIdOf(string? header) =>
        header?.Split('-') is [ "00", { Length: 32 } traceId, { Length: 16 }, { Length: 2 } ] ? traceId : null;
}

/// <summary>
/// Records every span that ends in this process whose trace is one the test started. Listening asks for all data,
/// so spans are recorded with their attributes even where the service itself exports nothing.
/// </summary>
public sealed class SpanCapture : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly System.Collections.Concurrent.ConcurrentQueue<Activity> _spans = new();

    public SpanCapture(string traceId)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.TraceId.ToHexString() == traceId ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = activity =>
            {
                if (activity.TraceId.ToHexString() == traceId)
                {
                    _spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Spans => [.. _spans];

    public void Dispose() => _listener.Dispose();
}
