using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tips.Api.Caching;
using Tips.Api.Features.Bandit;
using Tips.Api.Features.Recommendations;
using Tips.Api.Tests.Support;
using Tips.Contracts;

namespace Tips.Api.Tests.HotPath;

/// <summary>What the per-process caches of the hot path may and may not delay.</summary>
public sealed class CachedStateTests : ApiTest
{
    private async Task<IReadOnlyList<Tip>> TipsAsync(string user, int limit = 1) =>
        (await Api.ClientFor(user).GetFromJsonAsync<TipsResponse>($"/tips?limit={limit}", TipsJson.Options))!.Tips;

    private Task<double> PredictedAsync(Guid tip) =>
        TipsDb.QueryAsync(Api.ConnectionString, db => db.TipScores.Where(s => s.Id == tip).Select(s => s.PredictedReward).SingleAsync());

    private async Task TeachGlobalModelAsync()
    {
        var tip = (await TipsAsync("ana"))[0];
        var response = await Api.ClientFor("ana").PostAsJsonAsync($"/tips/{tip.Id}/feedback", new { action = "done", dwell_ms = 60_000 });
        response.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_dismissed_tip_is_gone_from_the_very_next_tips_while_the_scoring_state_is_cached()
    {
        var first = (await TipsAsync("ana"))[0];
        (await Api.ClientFor("ana").PostAsJsonAsync($"/tips/{first.Id}/feedback", new { action = "dismiss" })).EnsureSuccessStatusCode();

        var next = new List<Tip>();
        for (var i = 0; i < 5; i++)
        {
            next.AddRange(await TipsAsync("ana", limit: 5));
        }

        Assert.DoesNotContain(next, t => t.Content == first.Content);
    }

    [Fact]
    public async Task A_persons_own_feedback_changes_their_cached_scoring_state_as_a_fresh_read_would_give_it()
    {
        var first = (await TipsAsync("ana"))[0]; // ana's scoring state, and the global model's coefficients, now cached
        var states = Api.Services.GetRequiredService<ExpiringCache<string, ScoringState>>();
        Assert.True(states.TryGet("ana", out var before));

        (await Api.ClientFor("ana").PostAsJsonAsync($"/tips/{first.Id}/feedback", new { action = "dismiss" })).EnsureSuccessStatusCode();

        Assert.True(states.TryGet("ana", out var kept)); // changed in place: the next request reads nothing
        Assert.NotSame(before, kept);
        var again = new TipCandidate("again", first.Content, first.Kind, first.Source, "", first.TaskId);
        Assert.True(kept.Suppressed.Hides(again));
        Assert.False(before.Suppressed.Hides(again));

        states.Forget("ana");
        await AssertModelAsReadAsync("ana", kept, observations: 1);
        Assert.NotEqual(before.Theta, kept.Theta);
    }

    [Fact]
    public async Task A_persons_own_feedback_brings_into_their_cached_state_what_another_replica_taught_their_model()
    {
        var first = (await TipsAsync("ana"))[0]; // ana's scoring state cached while she has no model row
        var states = Api.Services.GetRequiredService<ExpiringCache<string, ScoringState>>();
        Assert.True(states.TryGet("ana", out var before));
        Assert.Null(before.Model.Person);

        // Meanwhile another replica records ana's first feedback on another tip: her model row, with one observation.
        var elsewhere = new RewardModel(BanditFeatures.Dimension);
        elsewhere.Add(BanditFeatures.For(new TipCandidate("w", "Walk", TipKind.Advice, TipSource.Fallback, "r"), null, Api.Time.GetUtcNow()), 0.5);
        await using (var connection = new NpgsqlConnection(Api.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand(
                "INSERT INTO bandit_models (model_key, policy, dimension, a_matrix, b_vector, observations, updated_at) " +
                "VALUES ('user:ana', 'elsewhere', $1, $2, $3, 1, now())", connection)
            {
                Parameters =
                {
                    new NpgsqlParameter<int> { TypedValue = BanditFeatures.Dimension },
                    new NpgsqlParameter<double[]> { TypedValue = elsewhere.A },
                    new NpgsqlParameter<double[]> { TypedValue = elsewhere.B },
                },
            };
            await insert.ExecuteNonQueryAsync();
        }

        (await Api.ClientFor("ana").PostAsJsonAsync($"/tips/{first.Id}/feedback", new { action = "done", dwell_ms = 60_000 })).EnsureSuccessStatusCode();

        Assert.True(states.TryGet("ana", out var kept)); // changed in place, with both observations
        states.Forget("ana");
        await AssertModelAsReadAsync("ana", kept, observations: 2);
    }

    [Fact]
    public async Task A_state_read_again_keeps_the_suppression_object_in_use_while_the_feedback_behind_it_is_unchanged()
    {
        var first = (await TipsAsync("ana"))[0];
        (await Api.ClientFor("ana").PostAsJsonAsync($"/tips/{first.Id}/feedback", new { action = "dismiss" })).EnsureSuccessStatusCode();
        var states = Api.Services.GetRequiredService<ExpiringCache<string, ScoringState>>();
        Assert.True(states.TryGet("ana", out var revised));

        Api.Time.Advance(TimeSpan.FromSeconds(31)); // past Recommendations__StateCacheFor: the next request reads it again
        await TipsAsync("ana");

        Assert.True(states.TryGet("ana", out var reread));
        Assert.NotSame(revised, reread);
        Assert.Same(revised.Suppressed, reread.Suppressed);
    }

    /// <summary>The cached state's model holds <paramref name="observations"/>, with the sums and coefficients a read of
    /// the person's row gives.</summary>
    private async Task AssertModelAsReadAsync(string user, ScoringState kept, long observations)
    {
        var read = await ReadModelAsync(user);
        Assert.Equal(observations, kept.Model.Person!.Observations);
        Assert.Equal(read.Person!.A, kept.Model.Person.A);
        Assert.Equal(read.Person.B, kept.Model.Person.B);
        Assert.Equal(read.Theta, kept.Theta);
    }

    /// <summary>The person's coefficients as the recommender reads them from the database.</summary>
    private async Task<Coefficients> ReadModelAsync(string user)
    {
        var bandit = Api.Services.GetRequiredService<BanditStore>();
        await using var connection = new NpgsqlConnection(Api.ConnectionString);
        await connection.OpenAsync();
        var models = bandit.ReadModels(user);
        await using var batch = new NpgsqlBatch(connection);
        foreach (var command in models.Commands)
        {
            batch.BatchCommands.Add(command);
        }
        await using var reader = await batch.ExecuteReaderAsync();
        return await bandit.CoefficientsAsync(models, reader, CancellationToken.None);
    }

    [Fact]
    public async Task A_persons_own_feedback_shapes_their_next_predictions_while_the_global_model_is_cached()
    {
        await TipsAsync("bob"); // the global model (untaught) is now cached
        await TeachGlobalModelAsync(); // ana's feedback teaches ana's model and the global one

        var anasNext = (await TipsAsync("ana"))[0];
        var bobsNext = (await TipsAsync("bob"))[0];

        Assert.NotEqual(0, await PredictedAsync(anasNext.Id));
        Assert.Equal(0, await PredictedAsync(bobsNext.Id));
    }

    [Fact]
    public async Task Others_see_what_the_global_model_learned_once_its_cached_copy_expires()
    {
        var before = (await TipsAsync("bob"))[0];
        await TeachGlobalModelAsync();

        var whileCached = (await TipsAsync("bob"))[0];
        Api.Time.Advance(TimeSpan.FromSeconds(31));
        var afterwards = (await TipsAsync("bob"))[0];

        Assert.Equal(0, await PredictedAsync(before.Id));
        Assert.Equal(0, await PredictedAsync(whileCached.Id));
        Assert.NotEqual(0, await PredictedAsync(afterwards.Id));
    }

    [Fact]
    public async Task Without_the_caches_others_see_what_the_global_model_learned_at_once()
    {
        Api.With("Bandit:GlobalModelCacheFor", "00:00:00").With("Recommendations:StateCacheFor", "00:00:00");
        await TipsAsync("bob");
        await TeachGlobalModelAsync();

        var next = (await TipsAsync("bob"))[0];

        Assert.NotEqual(0, await PredictedAsync(next.Id));
    }

    [Fact]
    public async Task Many_requests_at_once_are_each_answered_with_their_tips_logged()
    {
        var users = Enumerable.Range(0, 40).Select(i => $"user-{i}").ToList();

        var served = await Task.WhenAll(users.Select(u => TipsAsync(u, limit: 2)));

        var logged = await TipsDb.ScoresAsync(Api.ConnectionString);
        Assert.Equal(served.SelectMany(t => t).Select(t => t.Id).Order(), logged.Select(s => s.Id).Order());
        Assert.All(logged, s => Assert.Equal(2, logged.Count(o => o.RequestId == s.RequestId)));
    }
}
