using Tips.Bench.Seeding;

namespace Tips.Bench.Load;

/// <summary>
/// Hands out the users of a pool in turn. With <c>eachOnce</c>, every request should get a user nobody asked for yet;
/// running past the end starts over and is counted (the pool was too small for the window).
/// </summary>
internal sealed class UserCursor(UserPool pool, bool eachOnce)
{
    private long _next = -1;
    private long _reused;

    public UserPool Pool => pool;

    public long Reused => Interlocked.Read(ref _reused);

    public BenchUser Next()
    {
        var index = Interlocked.Increment(ref _next);
        if (eachOnce && index >= pool.Users.Count)
        {
            Interlocked.Increment(ref _reused);
        }
        return pool.Users[(int)(index % pool.Users.Count)];
    }
}
