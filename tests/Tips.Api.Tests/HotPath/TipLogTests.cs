using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
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
        var violation = await Assert.ThrowsAsync<PostgresException>(() => broken);
        Assert.Equal(PostgresErrorCodes.CheckViolation, violation.SqlState);
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

    [Fact]
    public async Task The_insert_writes_every_column_of_the_model()
    {
        var mapped = await TipsDb.QueryAsync(_connectionString, db => Task.FromResult(
            db.Model.FindEntityType(typeof(TipScore))!.GetProperties().Select(p => p.GetColumnName()).Order().ToList()));

        Assert.Equal(mapped, TipLog.Columns.Order().ToList());
    }

    [Fact]
    public async Task A_logged_row_reads_back_as_it_was_served()
    {
        var full = Row("ana");
        full.Position = 2;
        full.TipKind = TipKind.Task;
        full.TipSource = TipSource.TaskDirect;
        full.TaskId = "6X7rM8997g3RQmvh";
        full.PromptVersion = "tips-v3";
        full.LlmModel = "model-a";
        full.Explored = true;
        full.Propensity = 0.4;
        full.PredictedReward = -0.25;
        full.CandidateCount = 17;
        full.Features = """{"bias": 1, "priority": 0.75}""";
        full.ServedAt = new DateTimeOffset(2026, 3, 2, 11, 30, 15, 123, TimeSpan.FromHours(1));
        var bare = Row("bob");

        var log = NewLog();
        await log.StartAsync(CancellationToken.None);
        await log.AppendAsync([full, bare], CancellationToken.None);
        await log.StopAsync(CancellationToken.None);

        var stored = await TipsDb.QueryAsync(_connectionString, db => db.TipScores.AsNoTracking().OrderBy(s => s.UserId).ToListAsync());
        Assert.Equal(2, stored.Count);
        AssertSame(full, stored[0]);
        AssertSame(bare, stored[1]);
        Assert.Null(stored[1].TaskId);
        Assert.Null(stored[1].PromptVersion);
        Assert.Null(stored[1].LlmModel);
    }

    private static void AssertSame(TipScore expected, TipScore actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.RequestId, actual.RequestId);
        Assert.Equal(expected.UserId, actual.UserId);
        Assert.Equal(expected.ServedAt.UtcDateTime, actual.ServedAt.UtcDateTime);
        Assert.Equal(expected.Position, actual.Position);
        Assert.Equal(expected.Content, actual.Content);
        Assert.Equal(expected.TipKind, actual.TipKind);
        Assert.Equal(expected.TipSource, actual.TipSource);
        Assert.Equal(expected.TaskId, actual.TaskId);
        Assert.Equal(expected.Rationale, actual.Rationale);
        Assert.Equal(expected.PromptVersion, actual.PromptVersion);
        Assert.Equal(expected.LlmModel, actual.LlmModel);
        Assert.Equal(expected.Policy, actual.Policy);
        Assert.Equal(expected.Epsilon, actual.Epsilon);
        Assert.Equal(expected.Explored, actual.Explored);
        Assert.Equal(expected.Propensity, actual.Propensity);
        Assert.Equal(expected.PredictedReward, actual.PredictedReward);
        Assert.Equal(expected.CandidateCount, actual.CandidateCount);
        // jsonb keeps the document, not the text (key order and spacing may change).
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected.Features), JsonNode.Parse(actual.Features)), actual.Features);
    }
}
