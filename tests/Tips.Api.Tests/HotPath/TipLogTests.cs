using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Tips.Api.Data;
using Tips.Api.Features.Recommendations;
using Tips.Api.Tests.Support;
using Tips.Contracts;

namespace Tips.Api.Tests.HotPath;

/// <summary>The group-committed tip log against a real database.</summary>
public sealed class TipLogTests : IAsyncLifetime
{
    private string _connectionString = null!;

    public async Task InitializeAsync() => _connectionString = await TestDatabase.CreateAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private TipLog NewLog() => new(new PooledDbContextFactory<TipsDbContext>(TipsDatabase.Options(_connectionString)), NullLogger<TipLog>.Instance);

    private static TipScore Row(string user, double propensity = 1.0) => new()
    {
        Id = Guid.CreateVersion7(),
        RequestId = Guid.CreateVersion7(),
        UserId = user,
        ServedAt = new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero),
        Content = $"A tip for {user}",
        Rationale = "Because it helps.",
        TipKind = TipKind.Advice,
        TipSource = TipSource.Fallback,
        Policy = "egreedy-ridge@1",
        Epsilon = 0.1,
        Propensity = propensity,
        CandidateCount = 1,
        Features = "{}",
    };

    [Fact]
    public async Task Requests_waiting_together_share_one_commit_and_a_bad_one_fails_alone()
    {
        var log = NewLog();
        // Queued before the writer runs, so that all three land in one shared batch.
        var ana = log.AppendAsync([Row("ana"), Row("ana")], CancellationToken.None);
        var broken = log.AppendAsync([Row("bob", propensity: 0)], CancellationToken.None); // breaks a check constraint
        var cleo = log.AppendAsync([Row("cleo")], CancellationToken.None);

        await log.StartAsync(CancellationToken.None);
        await ana;
        await cleo;
        await Assert.ThrowsAsync<DbUpdateException>(() => broken);
        await log.StopAsync(CancellationToken.None);

        var users = await TipsDb.QueryAsync(_connectionString, db => db.TipScores.Select(s => s.UserId).OrderBy(u => u).ToListAsync());
        Assert.Equal(["ana", "ana", "cleo"], users);
    }

    [Fact]
    public async Task What_was_accepted_before_stopping_is_still_written()
    {
        var log = NewLog();
        await log.StartAsync(CancellationToken.None);
        var accepted = Enumerable.Range(0, 50).Select(i => log.AppendAsync([Row($"user-{i}")], CancellationToken.None)).ToList();

        await log.StopAsync(CancellationToken.None);
        await Task.WhenAll(accepted);

        Assert.Equal(50, await TipsDb.QueryAsync(_connectionString, db => db.TipScores.CountAsync()));
        Assert.Throws<InvalidOperationException>(() => { _ = log.AppendAsync([Row("late")], CancellationToken.None); });
    }
}
