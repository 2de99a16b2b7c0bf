using System.Collections.Concurrent;

namespace Tips.Api.Caching;

/// <summary>
/// A per-process map whose entries expire after a fixed time on the injected clock. It spares the database reads
/// that every request for the same key would repeat; each cache says in its own settings how stale it may be.
/// A zero lifetime turns it off. An expired entry stays until it is replaced (<see cref="TryGetExpired"/>); when the
/// cache grows past its bound, expired entries go first, then everything.
/// </summary>
internal sealed class ExpiringCache<TKey, TValue>(TimeSpan lifetime, TimeProvider time, int maxEntries = 100_000)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Entry> _entries = new();

    // Bumped by every Forget of a key in the stripe: a value loaded while its key was forgotten may predate that change,
    // so it is not kept. Striped, not one counter, so that one person's feedback does not discard everyone's reads
    // under way; two keys share a stripe rarely, and then a read is only thrown away, never kept wrongly.
    private readonly long[] _forgets = new long[ForgetStripes];
    private const int ForgetStripes = 1024;

    public bool Enabled => lifetime > TimeSpan.Zero;

    public bool TryGet(TKey key, out TValue value)
    {
        if (_entries.TryGetValue(key, out var entry) && time.GetUtcNow() < entry.ExpiresAt)
        {
            value = entry.Value;
            return true;
        }
        value = default!;
        return false;
    }

    /// <summary>
    /// The value last kept for <paramref name="key"/>, expired or not (until replaced, forgotten or trimmed away): for
    /// a reload to compare with, and to give the very same object back when nothing changed, so that what was built
    /// from it (<see cref="Features.Recommendations.KeptPools"/>) holds.
    /// </summary>
    public bool TryGetExpired(TKey key, out TValue value)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            value = entry.Value;
            return true;
        }
        value = default!;
        return false;
    }

    /// <summary>Keeps <paramref name="value"/> for the cache's lifetime, or until <paramref name="notAfter"/> if sooner.</summary>
    public void Set(TKey key, TValue value, DateTimeOffset? notAfter = null)
    {
        if (!Enabled)
        {
            return;
        }
        if (_entries.Count >= maxEntries)
        {
            Trim();
        }
        var expiresAt = time.GetUtcNow() + lifetime;
        _entries[key] = new Entry(value, notAfter < expiresAt ? notAfter.Value : expiresAt);
    }

    /// <summary>Changes a cached value in place, keeping its expiry; nothing happens when the key is not cached.</summary>
    public void Update(TKey key, Func<TValue, TValue> change)
    {
        while (_entries.TryGetValue(key, out var entry))
        {
            if (_entries.TryUpdate(key, entry with { Value = change(entry.Value) }, entry))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Changes a cached value in place after a change it must reflect, keeping its expiry; and, as
    /// <see cref="Forget"/> does, keeps no value whose read was under way (it may predate the change). Nothing is
    /// cached when the key was not.
    /// </summary>
    public void Revise(TKey key, Func<TValue, TValue> change)
    {
        Interlocked.Increment(ref ForgetsOf(key));
        Update(key, change);
    }

    public void Forget(TKey key)
    {
        Interlocked.Increment(ref ForgetsOf(key));
        _entries.TryRemove(key, out _);
    }

    /// <summary>The cached value, or the one <paramref name="load"/> reads, which is then cached (as <paramref name="keep"/>
    /// turns it, when later readers should see it otherwise than the one that read it; no longer than
    /// <paramref name="notAfter"/> says the value holds).</summary>
    public async Task<TValue> GetOrLoadAsync(
        TKey key,
        Func<TKey, CancellationToken, Task<TValue>> load,
        CancellationToken cancellationToken,
        Func<TValue, TValue>? keep = null,
        Func<TValue, DateTimeOffset?>? notAfter = null)
    {
        if (TryGet(key, out var cached))
        {
            return cached;
        }
        var forgets = Interlocked.Read(ref ForgetsOf(key));
        var value = await load(key, cancellationToken);
        if (Interlocked.Read(ref ForgetsOf(key)) == forgets)
        {
            Set(key, keep is null ? value : keep(value), notAfter?.Invoke(value));
        }
        return value;
    }

    private ref long ForgetsOf(TKey key) => ref _forgets[(key.GetHashCode() & int.MaxValue) % ForgetStripes];

    private void Trim()
    {
        var now = time.GetUtcNow();
        foreach (var (key, entry) in _entries)
        {
            if (entry.ExpiresAt <= now)
            {
                _entries.TryRemove(new KeyValuePair<TKey, Entry>(key, entry));
            }
        }
        if (_entries.Count >= maxEntries)
        {
            _entries.Clear();
        }
    }

    private sealed record Entry(TValue Value, DateTimeOffset ExpiresAt);
}
