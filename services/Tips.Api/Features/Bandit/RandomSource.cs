namespace Tips.Api.Features.Bandit;

/// <summary>The bandit's randomness, injectable so that tests and simulations can fix a seed.</summary>
public interface IRandomSource
{
    /// <summary>Uniform in [0, 1).</summary>
    double NextDouble();

    /// <summary>Uniform in [0, <paramref name="maxExclusive"/>).</summary>
    int Next(int maxExclusive);
}

/// <summary>Thread-safe randomness: the shared generator, or a seeded one behind a lock.</summary>
public sealed class RandomSource(int? seed = null) : IRandomSource
{
    private readonly Random? _seeded = seed is { } s ? new Random(s) : null;
    private readonly Lock _lock = new();

    public double NextDouble()
    {
        if (_seeded is null)
        {
            return Random.Shared.NextDouble();
        }
        lock (_lock)
        {
            return _seeded.NextDouble();
        }
    }

    public int Next(int maxExclusive)
    {
        if (_seeded is null)
        {
            return Random.Shared.Next(maxExclusive);
        }
        lock (_lock)
        {
            return _seeded.Next(maxExclusive);
        }
    }
}
