using System.Diagnostics;
using System.Diagnostics.Metrics;
using Tips.Api.Capacity;
using Tips.Api.Clients.Todoist;
using Tips.Api.Features.Bandit;
using Tips.Api.Features.Context;
using Tips.Contracts;

namespace Tips.Api;

/// <summary>
/// The recommender's own instruments (meter <c>Tips.Api</c>); what each means and its healthy range are in
/// docs/operations.md. Tags take only a handful of values each (wire words, outcomes): never a user, task or content.
/// </summary>
internal sealed class TipsApiMetrics
{
    public const string MeterName = "Tips.Api";

    /// <summary>Spans of the API's own work (the background LLM generation); exported with the others.</summary>
    public static readonly ActivitySource Activities = new(MeterName);

    private static readonly object True = true;
    private static readonly object False = false;

    private readonly Counter<long> _served;
    private readonly Histogram<int> _poolSize;
    private readonly Counter<long> _contexts;
    private readonly Counter<long> _cacheLookups;
    private readonly Counter<long> _waits;
    private readonly Counter<long> _generations;
    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _propensity;
    private readonly Counter<long> _feedback;
    private readonly Histogram<double> _reward;
    private readonly Counter<long> _todoistRequests;
    private volatile IReadOnlyDictionary<TokenStatus, long>? _tokens;
    private long _shed;
    private long _tipsRateLimited;
    private long _feedbackRateLimited;

    public TipsApiMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _served = meter.CreateCounter<long>("tips.recommender.served", "{tip}",
            "Tips served by GET /tips, by source (llm, task_direct, fallback) and kind.");
        _poolSize = meter.CreateHistogram<int>("tips.recommender.pool_size", "{candidate}",
            "Candidates the bandit chose from, per GET /tips.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 3, 5, 8, 13, 21, 34] });
        _contexts = meter.CreateCounter<long>("tips.context.assemblies", "{context}",
            "Contexts assembled for GET /tips, by where the tasks came from (fresh, cached, stale, not_connected).");
        _cacheLookups = meter.CreateCounter<long>("tips.llm.cache.lookups", "{lookup}",
            "Lookups of a person's cached LLM candidates: fresh (used as is), stale (used once more while a refresh runs), miss.");
        _waits = meter.CreateCounter<long>("tips.llm.waits", "{wait}",
            "Requests that waited for new LLM candidates: arrived in time, none (generation failed) or deadline (served without them).");
        _generations = meter.CreateCounter<long>("tips.llm.generations", "{generation}",
            "Calls to Tips.Serving for new LLM candidates, by result (ok, refused, circuit_open, timeout, error).");
        _decisions = meter.CreateCounter<long>("tips.bandit.decisions", "{decision}",
            "Slots the ε-greedy bandit filled, by whether the exploration branch chose.");
        _propensity = meter.CreateHistogram<double>("tips.bandit.propensity", "1",
            "The logged probability of each served tip under the policy (its mean is sum / count).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 0.9, 1] });
        _feedback = meter.CreateCounter<long>("tips.feedback.received", "{feedback}",
            "Feedback posts, by action and result (recorded, repeated, unknown_tip).");
        _reward = meter.CreateHistogram<double>("tips.feedback.reward", "1",
            "The reward of each newly recorded feedback, by action (its mean is sum / count).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [-1, -0.5, -0.3, 0, 0.1, 0.3, 0.5, 0.6, 1] });
        _todoistRequests = meter.CreateCounter<long>("tips.todoist.requests", "{request}",
            "Todoist API calls (after the HTTP retries), by operation and result (ok, invalid_token, rate_limited, unavailable).");
        // Observed rather than added to, so the series exists (at 0) before the first refusal.
        meter.CreateObservableCounter("tips.recommender.shed", () => Interlocked.Read(ref _shed), "{request}",
            "GET /tips requests refused at once (503 overloaded): every in-flight slot and queue place was taken.");
        meter.CreateObservableCounter("tips.edge.rate_limited", ObserveRateLimited, "{request}",
            "Requests refused with 429: past the person's rate (RateLimits__TipsPerMinute, RateLimits__FeedbackPerMinute), by endpoint (tips, feedback).");
        meter.CreateObservableGauge("tips.todoist.tokens", ObserveTokens, "{token}",
            "Stored Todoist tokens by status (valid, invalid, unknown), counted in the database every Metrics__TokenStatusRefresh.");
    }

    public void Served(TipSource source, TipKind kind) =>
        _served.Add(1, new("tips.tip.source", WireName.Of(source)), new("tips.tip.kind", WireName.Of(kind)));

    public void Shed() => Interlocked.Increment(ref _shed);

    public void RateLimited(RateLimitedEndpoint endpoint) =>
        Interlocked.Increment(ref (endpoint == RateLimitedEndpoint.Tips ? ref _tipsRateLimited : ref _feedbackRateLimited));

    public void PoolScored(int size) => _poolSize.Record(size);

    public void ContextAssembled(TasksOrigin origin) => _contexts.Add(1, new KeyValuePair<string, object?>("tips.tasks.origin", origin switch
    {
        TasksOrigin.Fresh => "fresh",
        TasksOrigin.Cached => "cached",
        TasksOrigin.Stale => "stale",
        _ => "not_connected",
    }));

    /// <param name="result"><c>fresh</c>, <c>stale</c> or <c>miss</c>.</param>
    public void CacheLookup(string result) => _cacheLookups.Add(1, new KeyValuePair<string, object?>("tips.cache.result", result));

    /// <param name="result"><c>arrived</c>, <c>none</c> or <c>deadline</c>.</param>
    public void Waited(string result) => _waits.Add(1, new KeyValuePair<string, object?>("tips.wait.result", result));

    /// <param name="result"><c>ok</c>, <c>refused</c>, <c>circuit_open</c>, <c>timeout</c> or <c>error</c>.</param>
    /// <param name="status">Tips.Serving's status when it refused.</param>
    public void Generated(string result, int? status = null)
    {
        var tags = new TagList { { "tips.generation.result", result } };
        if (status is { } code)
        {
            tags.Add("http.response.status_code", code);
        }
        _generations.Add(1, tags);
    }

    public void Decided(Pick pick, string policy)
    {
        _decisions.Add(1, new("tips.bandit.explored", pick.Explored ? True : False), new("tips.bandit.policy", policy));
        _propensity.Record(pick.Propensity, new KeyValuePair<string, object?>("tips.bandit.policy", policy));
    }

    /// <param name="result"><c>recorded</c>, <c>repeated</c> or <c>unknown_tip</c>.</param>
    /// <param name="rewardMilli">The reward of a newly recorded feedback.</param>
    public void Feedback(FeedbackAction action, string result, int? rewardMilli = null)
    {
        var actionTag = new KeyValuePair<string, object?>("tips.feedback.action", WireName.Of(action));
        _feedback.Add(1, actionTag, new("tips.feedback.result", result));
        if (rewardMilli is { } milli)
        {
            _reward.Record(milli / 1000.0, actionTag);
        }
    }

    /// <param name="operation"><c>get_user</c> or <c>get_tasks</c>.</param>
    public void TodoistCalled(string operation, TodoistFailureKind? failure) =>
        _todoistRequests.Add(1, new("tips.todoist.operation", operation), new("tips.todoist.result", failure switch
        {
            null => "ok",
            TodoistFailureKind.InvalidToken => "invalid_token",
            TodoistFailureKind.RateLimited => "rate_limited",
            _ => "unavailable",
        }));

    /// <summary>The latest count of stored tokens by status (from <see cref="Features.Integrations.TokenStatusCounter"/>).</summary>
    public void TokensCounted(IReadOnlyDictionary<TokenStatus, long> counts) => _tokens = counts;

    private Measurement<long>[] ObserveRateLimited() =>
    [
        new(Interlocked.Read(ref _tipsRateLimited), new KeyValuePair<string, object?>("tips.endpoint", "tips")),
        new(Interlocked.Read(ref _feedbackRateLimited), new KeyValuePair<string, object?>("tips.endpoint", "feedback")),
    ];

    private IEnumerable<Measurement<long>> ObserveTokens()
    {
        if (_tokens is not { } counts)
        {
            yield break;
        }
        // Every status is reported, zeros too, so that a status that empties drops to 0 instead of vanishing.
        foreach (var status in (TokenStatus[])[TokenStatus.Valid, TokenStatus.Invalid, TokenStatus.Unknown])
        {
            yield return new Measurement<long>(counts.GetValueOrDefault(status),
                new KeyValuePair<string, object?>("tips.todoist.token_status", WireName.Of(status)));
        }
    }
}
