using Tips.Bench.Seeding;

namespace Tips.Bench.Load;

/// <summary>The two requests of a user's traffic (<see cref="TipsTraffic"/>): the open loop's shared
/// <see cref="LoadClient"/>, or a closed-loop client's own <see cref="BlockingHttpConnection"/>.</summary>
internal interface ITipsClient
{
    ValueTask<Answer> GetTipsAsync(BenchUser user, CancellationToken cancellationToken);

    ValueTask<Answer> PostFeedbackAsync(BenchUser user, Guid tipId, string action, long dwellMs, CancellationToken cancellationToken);
}
