using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tips.Api.Capacity;
using Tips.Api.Extensions;
using Tips.TestSupport;

namespace Tips.Api.Tests.Hardening;

/// <summary>The per-person token buckets on their own clock: what they let through, when, and what they forget.</summary>
public sealed class PersonRateLimitsTests : IDisposable
{
    private static readonly Caller Ana = new("ana", Anonymous: false);
    private static readonly Caller Bo = new("bo", Anonymous: false);

    private readonly TestClock _clock = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    private PersonRateLimits Limits(int tipsPerMinute, int feedbackPerMinute = 240) => new(
        Options.Create(new RateLimitOptions { TipsPerMinute = tipsPerMinute, FeedbackPerMinute = feedbackPerMinute }),
        _clock,
        new TipsApiMetrics(_services.GetRequiredService<IMeterFactory>()));

    [Fact]
    public void A_minutes_worth_passes_at_once_then_one_per_interval()
    {
        var limits = Limits(tipsPerMinute: 3); // one every 20 s

        Assert.All(Enumerable.Range(0, 3), _ => Assert.Null(limits.TryTake(RateLimitedEndpoint.Tips, Ana)));
        Assert.Equal(TimeSpan.FromSeconds(20), limits.TryTake(RateLimitedEndpoint.Tips, Ana));

        _clock.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(TimeSpan.FromSeconds(5), limits.TryTake(RateLimitedEndpoint.Tips, Ana));
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Null(limits.TryTake(RateLimitedEndpoint.Tips, Ana));
        Assert.NotNull(limits.TryTake(RateLimitedEndpoint.Tips, Ana));

        // A whole minute idle fills the bucket again, and no more than full.
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.All(Enumerable.Range(0, 3), _ => Assert.Null(limits.TryTake(RateLimitedEndpoint.Tips, Ana)));
        Assert.NotNull(limits.TryTake(RateLimitedEndpoint.Tips, Ana));
    }

    [Fact]
    public void Each_person_and_endpoint_has_a_bucket_of_its_own()
    {
        var limits = Limits(tipsPerMinute: 1, feedbackPerMinute: 1);

        Assert.Null(limits.TryTake(RateLimitedEndpoint.Tips, Ana));
        Assert.NotNull(limits.TryTake(RateLimitedEndpoint.Tips, Ana));

        Assert.Null(limits.TryTake(RateLimitedEndpoint.Feedback, Ana));
        Assert.Null(limits.TryTake(RateLimitedEndpoint.Tips, Bo));
        // An address is not the person whose sub reads the same.
        Assert.Null(limits.TryTake(RateLimitedEndpoint.Tips, new Caller("ana", Anonymous: true)));
    }

    [Fact]
    public void A_clock_set_back_leaves_a_bucket_empty_for_one_interval_no_longer()
    {
        var limits = Limits(tipsPerMinute: 2); // one every 30 s
        limits.TryTake(RateLimitedEndpoint.Tips, Ana);
        limits.TryTake(RateLimitedEndpoint.Tips, Ana);

        _clock.Advance(TimeSpan.FromHours(-1));

        Assert.Equal(TimeSpan.FromSeconds(30), limits.TryTake(RateLimitedEndpoint.Tips, Ana));
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(limits.TryTake(RateLimitedEndpoint.Tips, Ana));
    }

    [Fact]
    public void Full_buckets_are_forgotten_once_a_minute_and_partly_used_ones_kept()
    {
        var limits = Limits(tipsPerMinute: 60); // one a second
        limits.TryTake(RateLimitedEndpoint.Tips, Ana);
        limits.TryTake(RateLimitedEndpoint.Feedback, Ana);
        Assert.Equal(2, limits.Tracked);

        _clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Null(limits.TryTake(RateLimitedEndpoint.Tips, Bo)); // the first request past the minute drops the full ones

        Assert.Equal(1, limits.Tracked); // Bo's, just used
        // A forgotten bucket is a full one: Ana has her whole minute again.
        Assert.All(Enumerable.Range(0, 60), _ => Assert.Null(limits.TryTake(RateLimitedEndpoint.Tips, Ana)));
        Assert.NotNull(limits.TryTake(RateLimitedEndpoint.Tips, Ana));
    }

    [Fact]
    public async Task Requests_at_once_from_many_threads_pass_exactly_a_minutes_worth()
    {
        var limits = Limits(tipsPerMinute: 100);
        using var start = new Barrier(4);

        var passed = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return Enumerable.Range(0, 100).Count(_ => limits.TryTake(RateLimitedEndpoint.Tips, Ana) is null);
        })));

        Assert.Equal(100, passed.Sum());
    }
}
