using System.Diagnostics;
using System.Diagnostics.Metrics;
using Tips.ServiceDefaults;

namespace Tips.Serving.Llm;

/// <summary>
/// Tips.Serving's own instruments (meter <c>Tips.Serving</c>); what each means and its healthy range are in
/// docs/operations.md. Per model call, the chat client's OpenTelemetry layer adds the semantic conventions'
/// <c>gen_ai.client.operation.duration</c> and <c>gen_ai.client.token.usage</c> (source and meter
/// <see cref="ChatTelemetryName"/>). Tags take a handful of values each: never a prompt, a task or a key.
/// </summary>
internal sealed class ServingMetrics
{
    public const string MeterName = "Tips.Serving";

    /// <summary>Source and meter of the chat client's gen_ai spans and metrics.</summary>
    public const string ChatTelemetryName = "Tips.Serving.Llm";

    /// <summary>The span attribute naming the gateway's own id of a call (<c>x-litellm-call-id</c>), to find it in its logs.</summary>
    public const string CallIdTag = "litellm.call_id";

    private const string ProblemPrefix = "urn:tips:problem:";

    private readonly Histogram<double> _duration;
    private readonly Histogram<int> _attempts;
    private readonly Counter<long> _replies;
    private readonly Counter<long> _repairs;
    private readonly Counter<long> _httpRetries;

    public ServingMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _duration = meter.CreateHistogram<double>("tips.llm.generation.duration", "s",
            "One POST /generate from the first model call to the answer, repairs and HTTP retries included, by result.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 45, 60] });
        _attempts = meter.CreateHistogram<int>("tips.llm.generation.attempts", "{call}",
            "Model calls per generation: 1 when the first reply was usable, up to 3 with repair retries.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 3] });
        _replies = meter.CreateCounter<long>("tips.llm.replies", "{reply}",
            "Model replies by result: usable, malformed (no valid JSON or too few valid tips) or cut_off (token limit).");
        _repairs = meter.CreateCounter<long>("tips.llm.repair_retries", "{retry}",
            "Repair turns sent after an unusable reply (each is one more model call).");
        _httpRetries = meter.CreateCounter<long>("tips.llm.gateway.retries", "{retry}",
            "HTTP requests to the gateway beyond one per model call: retries of refused connections, 5xx and short 429s.");
    }

    /// <param name="result"><c>usable</c>, <c>malformed</c> or <c>cut_off</c>.</param>
    public void Reply(string result) => _replies.Add(1, new KeyValuePair<string, object?>("tips.llm.reply.result", result));

    public void RepairRetry() => _repairs.Add(1);

    public void Succeeded(TimeSpan elapsed, int attempts, int httpRequests, string? model)
    {
        var tags = new TagList
        {
            { "tips.generation.result", "ok" },
            { "http.response.status_code", StatusOk },
            { "gen_ai.response.model", model ?? "unknown" },
        };
        Record(elapsed, attempts, httpRequests, tags);
    }

    public void Failed(TimeSpan elapsed, ProblemException problem)
    {
        var tags = new TagList
        {
            { "tips.generation.result", problem.Type.StartsWith(ProblemPrefix, StringComparison.Ordinal) ? problem.Type[ProblemPrefix.Length..] : problem.Type },
            { "http.response.status_code", problem.Status },
        };
        if (problem.Extensions.TryGetValue("gateway_status", out var gatewayStatus) && gatewayStatus is int status)
        {
            tags.Add("tips.gateway.status_code", status);
        }
        Record(elapsed,
            problem.Extensions.TryGetValue("attempts", out var a) && a is int attempts ? attempts : 0,
            problem.Extensions.TryGetValue("gateway_requests", out var r) && r is int requests ? requests : 0,
            tags);
    }

    private void Record(TimeSpan elapsed, int attempts, int httpRequests, in TagList tags)
    {
        _duration.Record(elapsed.TotalSeconds, tags);
        if (attempts > 0)
        {
            _attempts.Record(attempts, tags);
        }
        if (httpRequests > attempts)
        {
            _httpRetries.Add(httpRequests - attempts);
        }
    }

    private static readonly object StatusOk = StatusCodes.Status200OK;
}
