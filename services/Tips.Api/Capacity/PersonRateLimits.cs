using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Tips.Api.Extensions;
using Tips.ServiceDefaults;

namespace Tips.Api.Capacity;

/// <summary>
/// Per-person request rates (<c>RateLimits__TipsPerMinute</c>, <c>RateLimits__FeedbackPerMinute</c>): a token bucket
/// per person (the token's <c>sub</c>; the client address without one) and endpoint, holding a minute's worth,
/// refilled evenly. Past it, 429 problem+json with <c>Retry-After</c>.
/// <para>
/// A bucket is one number, the moment it is full again, brought up to date by the request that uses it (the clock is
/// the injected <see cref="TimeProvider"/>). No timer walks the buckets: a timer that refills them all costs in
/// proportion to everyone seen, on every tick. Full buckets, the same as none, are dropped once a minute.
/// </para>
/// </summary>
internal sealed class PersonRateLimits
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Limit _tips;
    private readonly Limit _feedback;
    private readonly TimeProvider _time;
    private readonly TipsApiMetrics _metrics;
    private long _nextDropTicks;

    public PersonRateLimits(IOptions<RateLimitOptions> options, TimeProvider time, TipsApiMetrics metrics)
    {
        _tips = new Limit(options.Value.TipsPerMinute);
        _feedback = new Limit(options.Value.FeedbackPerMinute);
        _time = time;
        _metrics = metrics;
        _nextDropTicks = time.GetUtcNow().UtcTicks + Window.Ticks;
    }

    /// <summary>The endpoint filter of <c>GET /tips</c>.</summary>
    public static ValueTask<object?> TipsAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        FilterAsync(context, next, RateLimitedEndpoint.Tips);

    /// <summary>The endpoint filter of feedback posts.</summary>
    public static ValueTask<object?> FeedbackAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        FilterAsync(context, next, RateLimitedEndpoint.Feedback);

    /// <summary>People (or addresses) with a bucket not yet full, for both endpoints together.</summary>
    internal int Tracked => _tips.Buckets.Count + _feedback.Buckets.Count;

    /// <summary>
    /// Takes one request from the bucket of <paramref name="caller"/> for <paramref name="endpoint"/>.
    /// </summary>
    /// <returns>Null when the request may go on; otherwise how long until the next one may.</returns>
    internal TimeSpan? TryTake(RateLimitedEndpoint endpoint, Caller caller)
    {
        var limit = endpoint == RateLimitedEndpoint.Tips ? _tips : _feedback;
        var now = _time.GetUtcNow().UtcTicks;
        DropFullBuckets(now);
        var wait = limit.TryTake(caller, now);
        if (wait is not null)
        {
            _metrics.RateLimited(endpoint);
        }
        return wait;
    }

    private static async ValueTask<object?> FilterAsync(
        EndpointFilterInvocationContext context, EndpointFilterDelegate next, RateLimitedEndpoint endpoint)
    {
        var http = context.HttpContext;
        var limits = http.RequestServices.GetRequiredService<PersonRateLimits>();
        var caller = http.User.FindFirst(AuthExtensions.SubClaim)?.Value is { } sub
            ? new Caller(sub, Anonymous: false)
            : new Caller(http.Connection.RemoteIpAddress?.ToString() ?? "", Anonymous: true);
        if (limits.TryTake(endpoint, caller) is not { } wait)
        {
            return await next(context);
        }

        return RetryLater.Problem(http, StatusCodes.Status429TooManyRequests, ProblemTypes.RateLimited, "Too many requests", "Slow down", wait);
    }

    /// <summary>Once a minute, the first request past the minute drops the buckets that are full again.</summary>
    private void DropFullBuckets(long now)
    {
        var due = Interlocked.Read(ref _nextDropTicks);
        if (now < due || Interlocked.CompareExchange(ref _nextDropTicks, now + Window.Ticks, due) != due)
        {
            return;
        }
        _tips.DropFull(now);
        _feedback.DropFull(now);
    }

    /// <summary>One endpoint's buckets, each a minute's worth of requests.</summary>
    private sealed class Limit(int perMinute)
    {
        private readonly long _interval = Window.Ticks / perMinute;

        public ConcurrentDictionary<Caller, Bucket> Buckets { get; } = new();

        public TimeSpan? TryTake(Caller caller, long now)
        {
            while (true)
            {
                var bucket = Buckets.GetOrAdd(caller, static _ => new Bucket());
                var fullAt = Interlocked.Read(ref bucket.FullAt);
                if (fullAt == Bucket.Dropped)
                {
                    continue; // dropped just now: the next lookup finds or makes its successor
                }

                // Each request moves the moment the bucket is full again one interval later; a minute's worth may be
                // outstanding at once.
                var taken = Math.Max(fullAt, now) + _interval;
                if (taken - now > Window.Ticks)
                {
                    // A clock set back can leave a bucket further ahead than a whole minute: it is empty, no more.
                    var empty = now + Window.Ticks;
                    if (fullAt > empty)
                    {
                        Interlocked.CompareExchange(ref bucket.FullAt, empty, fullAt);
                    }
                    return TimeSpan.FromTicks(Math.Min(taken, empty + _interval) - now - Window.Ticks);
                }
                if (Interlocked.CompareExchange(ref bucket.FullAt, taken, fullAt) == fullAt)
                {
                    return null;
                }
            }
        }

        public void DropFull(long now)
        {
            foreach (var (caller, bucket) in Buckets)
            {
                var fullAt = Interlocked.Read(ref bucket.FullAt);
                // Marked first, so that a request taking from it at this moment either lands before (and it stays)
                // or sees the mark and starts a new one: none goes uncounted.
                if (fullAt <= now && Interlocked.CompareExchange(ref bucket.FullAt, Bucket.Dropped, fullAt) == fullAt)
                {
                    Buckets.TryRemove(new KeyValuePair<Caller, Bucket>(caller, bucket));
                }
            }
        }
    }

    private sealed class Bucket
    {
        public const long Dropped = long.MinValue;

        /// <summary>UTC ticks from which the bucket is full again; 0 (long past) when new.</summary>
        public long FullAt;
    }
}

/// <summary>Who a rate applies to: a person by their token's <c>sub</c>, or an address when there is none.</summary>
internal readonly record struct Caller(string Id, bool Anonymous);

internal enum RateLimitedEndpoint
{
    Tips,
    Feedback,
}
