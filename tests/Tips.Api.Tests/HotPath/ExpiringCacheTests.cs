using Tips.Api.Caching;
using Tips.TestSupport;

namespace Tips.Api.Tests.HotPath;

public sealed class ExpiringCacheTests
{
    private readonly TestClock _clock = new(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public void An_entry_lives_for_the_lifetime_on_the_injected_clock()
    {
        var cache = new ExpiringCache<string, int>(TimeSpan.FromSeconds(10), _clock);
        cache.Set("ana", 1);

        _clock.Advance(TimeSpan.FromSeconds(9));
        Assert.True(cache.TryGet("ana", out var kept));
        Assert.Equal(1, kept);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(cache.TryGet("ana", out _));
    }

    [Fact]
    public void An_entry_goes_when_its_value_stops_holding_if_that_is_sooner()
    {
        var cache = new ExpiringCache<string, int>(TimeSpan.FromSeconds(10), _clock);
        cache.Set("ana", 1, notAfter: _clock.GetUtcNow().AddSeconds(3));

        _clock.Advance(TimeSpan.FromSeconds(3));

        Assert.False(cache.TryGet("ana", out _));
    }

    [Fact]
    public void An_expired_entry_is_still_there_to_compare_with_until_it_is_replaced_or_forgotten()
    {
        var cache = new ExpiringCache<string, string>(TimeSpan.FromSeconds(10), _clock);
        var value = "kept";
        cache.Set("ana", value);
        _clock.Advance(TimeSpan.FromSeconds(10));

        Assert.False(cache.TryGet("ana", out _));
        Assert.True(cache.TryGetExpired("ana", out var expired));
        Assert.Same(value, expired);

        cache.Set("ana", "new");
        Assert.True(cache.TryGetExpired("ana", out var replaced));
        Assert.Equal("new", replaced);

        cache.Forget("ana");
        Assert.False(cache.TryGetExpired("ana", out _));
    }

    [Fact]
    public void A_zero_lifetime_keeps_nothing()
    {
        var cache = new ExpiringCache<string, int>(TimeSpan.Zero, _clock);
        cache.Set("ana", 1);

        Assert.False(cache.Enabled);
        Assert.False(cache.TryGet("ana", out _));
    }

    [Fact]
    public async Task A_value_read_while_something_was_forgotten_is_returned_but_not_kept()
    {
        var cache = new ExpiringCache<string, int>(TimeSpan.FromSeconds(10), _clock);
        var reading = new TaskCompletionSource<int>();

        var load = cache.GetOrLoadAsync("ana", (_, _) => reading.Task, CancellationToken.None);
        cache.Forget("ana"); // e.g. feedback committed while the read was under way
        reading.SetResult(7);

        Assert.Equal(7, await load);
        Assert.False(cache.TryGet("ana", out _));
    }

    [Fact]
    public async Task A_revised_value_keeps_its_expiry_and_a_value_read_while_it_was_revised_is_not_kept()
    {
        var cache = new ExpiringCache<string, int>(TimeSpan.FromSeconds(10), _clock);
        cache.Set("ana", 1);
        _clock.Advance(TimeSpan.FromSeconds(6));

        cache.Revise("ana", value => value + 1); // e.g. feedback committed: the cached state changed as a read would give it
        cache.Revise("bo", value => value + 1); // not cached: nothing to change, nothing made up

        Assert.True(cache.TryGet("ana", out var revised));
        Assert.Equal(2, revised);
        Assert.False(cache.TryGet("bo", out _));
        _clock.Advance(TimeSpan.FromSeconds(4));
        Assert.False(cache.TryGet("ana", out _));

        var reading = new TaskCompletionSource<int>();
        var load = cache.GetOrLoadAsync("bo", (_, _) => reading.Task, CancellationToken.None);
        cache.Revise("bo", value => value + 1); // its read may predate the change
        reading.SetResult(7);

        Assert.Equal(7, await load);
        Assert.False(cache.TryGet("bo", out _));
    }

    [Fact]
    public async Task A_value_read_while_another_key_was_forgotten_is_kept()
    {
        // Whole-number keys: their hash codes are themselves, so these two never share a stripe of forgets.
        var cache = new ExpiringCache<int, int>(TimeSpan.FromSeconds(10), _clock);
        var reading = new TaskCompletionSource<int>();

        var load = cache.GetOrLoadAsync(1, (_, _) => reading.Task, CancellationToken.None);
        cache.Forget(2); // someone else's feedback says nothing about what was read for person 1
        reading.SetResult(7);

        Assert.Equal(7, await load);
        Assert.True(cache.TryGet(1, out var kept));
        Assert.Equal(7, kept);
    }

    [Fact]
    public async Task What_later_readers_see_can_differ_from_what_the_reader_got()
    {
        var cache = new ExpiringCache<string, string>(TimeSpan.FromSeconds(10), _clock);

        var first = await cache.GetOrLoadAsync("ana", (_, _) => Task.FromResult("fresh"), CancellationToken.None, keep: _ => "cached");
        var second = await cache.GetOrLoadAsync("ana", (_, _) => Task.FromResult("read again"), CancellationToken.None);

        Assert.Equal(["fresh", "cached"], new[] { first, second });
    }

    [Fact]
    public void Past_its_bound_expired_entries_go_first_then_everything()
    {
        var cache = new ExpiringCache<int, int>(TimeSpan.FromSeconds(10), _clock, maxEntries: 3);
        cache.Set(1, 1);
        cache.Set(2, 2);
        _clock.Advance(TimeSpan.FromSeconds(11));
        cache.Set(3, 3);
        cache.Set(4, 4); // bound reached: 1 and 2 have expired and make room

        Assert.True(cache.TryGet(3, out _));
        cache.Set(5, 5);
        cache.Set(6, 6); // bound reached with nothing expired: everything goes, then 6 is kept

        Assert.False(cache.TryGet(3, out _));
        Assert.True(cache.TryGet(6, out _));
    }
}
