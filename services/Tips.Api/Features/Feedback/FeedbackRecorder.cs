using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Tips.Api.Caching;
using Tips.Api.Data;
using Tips.Api.Features.Bandit;
using Tips.Api.Features.Context;
using Tips.Api.Features.Recommendations;
using Tips.Contracts;

namespace Tips.Api.Features.Feedback;

/// <summary>
/// Records feedback posts and teaches the bandit, by group commit (<see cref="GroupCommit{TItem,TResult}"/>): the
/// posts waiting at that moment are recorded in one transaction of two round trips, and the models take one update
/// each for all of them, the global model's row included. Every distinct (tip, action) is kept; a repeated identical
/// post returns the stored answer and changes nothing; the models learn once per tip, from its first feedback, in the
/// same transaction as that feedback. The posts' tips are locked first, so concurrent posts on one tip (from another
/// replica) are taken one at a time and never learn twice; then the posters' model rows and the global one, whose
/// new sums Tips.Api computes (<see cref="BanditStore.Learn"/>).
/// </summary>
internal sealed partial class FeedbackRecorder(
    IDbContextFactory<TipsDbContext> dbs,
    BanditStore bandit,
    ExpiringCache<string, ScoringState> states,
    ContextCache contexts,
    IOptions<RecommendationOptions> options,
    TimeProvider time,
    TipsApiMetrics metrics,
    ILogger<FeedbackRecorder> logger)
    : GroupCommit<FeedbackPost, FeedbackResponse?>(logger)
{
    // Far more posts than wait at once at saturation; a bound keeps a burst from making one transaction long.
    protected override int MaxSizePerCommit => 200;

    /// <returns>The answer, or null when the tip does not exist or is not the caller's.</returns>
    public Task<FeedbackResponse?> RecordAsync(
        string userId, Guid tipId, FeedbackAction action, long? dwellMs, CancellationToken cancellationToken) =>
        SubmitAsync(new FeedbackPost(userId, tipId, action, dwellMs, time.GetUtcNow()), cancellationToken);

    protected override async Task<IReadOnlyList<FeedbackResponse?>> CommitAsync(IReadOnlyList<FeedbackPost> posts)
    {
        // No cancellation: accepted posts are recorded even while the app shuts down.
        await using var db = await dbs.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        // The transaction begins in the first round trip and ends in the last (LockAsync's BEGIN, the batches' COMMIT).
        // Should anything fail in between, closing the connection rolls it back: Npgsql does so before pooling it.
        var (tips, models) = await LockAsync(connection, posts);

        var answers = new FeedbackResponse?[posts.Count];
        var results = new (string Result, int? RewardMilli)[posts.Count];
        var recorded = new List<(FeedbackPost Post, LockedTip Tip, int RewardMilli)>();
        var observations = new List<Observation>();
        for (var i = 0; i < posts.Count; i++)
        {
            var post = posts[i];
            if (!tips.TryGetValue(post.TipId, out var tip) || tip.UserId != post.UserId)
            {
                results[i] = ("unknown_tip", null);
                continue;
            }
            // Earlier includes the posts before this one in the batch: they are recorded together.
            if (tip.Earlier.FirstOrDefault(f => f.Action == post.Action) is { } same)
            {
                results[i] = ("repeated", null);
                answers[i] = new FeedbackResponse(post.TipId, post.Action, same.RewardMilli / 1000.0);
                continue;
            }

            var rewardMilli = Rewards.InferMilli(post.Action, post.DwellMs);
            if (tip.Earlier.Count == 0)
            {
                var logged = JsonSerializer.Deserialize(tip.Features, LoggedFeatures.Json);
                observations.Add(new Observation(post.UserId, BanditFeatures.FromNamed(logged?.X ?? []), rewardMilli / 1000.0));
            }
            tip.Earlier.Add(new EarlierFeedback(post.Action, rewardMilli));
            recorded.Add((post, tip, rewardMilli));
            results[i] = ("recorded", rewardMilli);
            answers[i] = new FeedbackResponse(post.TipId, post.Action, rewardMilli / 1000.0);
        }

        var learning = bandit.Learn(observations, models);
        if (recorded.Count > 0)
        {
            // The feedback, the models' learning and the commit: one round trip. The model rows, the global one that all
            // feedback shares among them, were locked in the first; the commit ends this batch, so those locks are held
            // for no round trip of their own. Should any statement fail, the commit never runs and the transaction
            // rolls back.
            await using var write = new NpgsqlBatch(connection) { BatchCommands = { InsertFeedback(recorded) } };
            foreach (var learn in learning.Writes)
            {
                write.BatchCommands.Add(learn);
            }
            write.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            await write.ExecuteNonQueryAsync();
        }
        else
        {
            await using var commit = new NpgsqlCommand("COMMIT", connection);
            await commit.ExecuteNonQueryAsync();
        }

        // The people's next tips here reflect it at once: what they put away and their model as this commit wrote it
        // (with whatever other replicas taught it since it was cached), changed in their cached scoring state as a read
        // would give it (no read on their next request); their signals, read again.
        foreach (var person in recorded.GroupBy(r => r.Post.UserId))
        {
            var acted = person.Select(r => (r.Post.Action, r.Tip.TaskId, r.Tip.Content)).ToList();
            var model = learning.People.GetValueOrDefault(person.Key);
            states.Revise(person.Key, state => new ScoringState(
                model is null ? state.Model : bandit.Learned(state.Model, model), state.Suppressed.With(acted, options.Value)));
            contexts.ForgetSignals(person.Key);
        }
        for (var i = 0; i < posts.Count; i++)
        {
            metrics.Feedback(posts[i].Action, results[i].Result, results[i].RewardMilli);
        }
        if (observations.Count > 0)
        {
            LogLearned(logger, observations.Count, recorded.Count);
        }
        return answers;
    }

    /// <summary>
    /// Locks the posts' tips that belong to their posters, in id order, and then reads their feedback so far; then
    /// locks and reads the model rows learning may write (<see cref="BanditStore.LockModels"/>); all in one round trip.
    /// The reads run once the locks are held, so they see every feedback committed by whoever held them before (one
    /// statement joining both would see the feedback as it was when it started waiting). A statement per tip, by key,
    /// keeps one cached plan each; a statement over an array of keys was planned again on every commit.
    /// </summary>
    private async Task<(Dictionary<Guid, LockedTip> Tips, LockedModels Models)> LockAsync(
        NpgsqlConnection connection, IReadOnlyList<FeedbackPost> posts)
    {
        var owned = posts.Select(p => (p.TipId, p.UserId)).Distinct().OrderBy(p => p.TipId).ToList();
        var tipIds = owned.Select(p => p.TipId).Distinct().ToList();
        var models = bandit.LockModels(posts.Select(p => p.UserId));
        // BEGIN as a statement of the batch: Npgsql's BeginTransaction sends it as a simple query, whose answer Postgres
        // flushes on its own, and reading it cost this round trip a second wait on the socket.
        await using var read = new NpgsqlBatch(connection) { BatchCommands = { new NpgsqlBatchCommand("BEGIN") } };
        foreach (var (tipId, userId) in owned)
        {
            read.BatchCommands.Add(new NpgsqlBatchCommand("SELECT user_id, features, task_id, content FROM tip_scores WHERE id = $1 AND user_id = $2 FOR UPDATE")
            {
                Parameters = { new NpgsqlParameter<Guid> { TypedValue = tipId }, new NpgsqlParameter<string> { TypedValue = userId } },
            });
        }
        foreach (var tipId in tipIds)
        {
            read.BatchCommands.Add(new NpgsqlBatchCommand("SELECT action, reward_milli FROM tip_feedback WHERE tip_id = $1")
            {
                Parameters = { new NpgsqlParameter<Guid> { TypedValue = tipId } },
            });
        }
        foreach (var model in models)
        {
            read.BatchCommands.Add(model);
        }

        await using var reader = await read.ExecuteReaderAsync();
        var tips = new Dictionary<Guid, LockedTip>();
        foreach (var (tipId, _) in owned)
        {
            if (await reader.ReadAsync())
            {
                tips[tipId] = new LockedTip(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3), []);
            }
            await reader.NextResultAsync();
        }
        foreach (var tipId in tipIds)
        {
            var earlier = tips.GetValueOrDefault(tipId)?.Earlier;
            while (await reader.ReadAsync())
            {
                earlier?.Add(new EarlierFeedback(WireName.Parse<FeedbackAction>(reader.GetString(0)), reader.GetInt32(1)));
            }
            await reader.NextResultAsync();
        }
        return (tips, await BanditStore.ReadLockedAsync(reader, models.Count));
    }

    /// <summary>One statement for every recorded post, inserted in the order they came (the analysts' first feedback
    /// of a tip is its earliest <c>created_at</c>, then the lowest <c>id</c>).</summary>
    private static NpgsqlBatchCommand InsertFeedback(List<(FeedbackPost Post, LockedTip Tip, int RewardMilli)> recorded) =>
        new("""
            INSERT INTO tip_feedback (tip_id, user_id, action, dwell_ms, reward_milli, created_at)
            SELECT tip_id, user_id, action, dwell_ms, reward_milli, created_at
            FROM unnest($1, $2, $3, $4, $5, $6) WITH ORDINALITY AS p(tip_id, user_id, action, dwell_ms, reward_milli, created_at, n)
            ORDER BY n
            """)
        {
            Parameters =
            {
                new NpgsqlParameter<Guid[]> { TypedValue = [.. recorded.Select(r => r.Post.TipId)] },
                new NpgsqlParameter { Value = recorded.Select(r => r.Post.UserId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar },
                new NpgsqlParameter { Value = recorded.Select(r => WireName.Of(r.Post.Action)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar },
                new NpgsqlParameter { Value = recorded.Select(r => r.Post.DwellMs).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
                new NpgsqlParameter<int[]> { TypedValue = [.. recorded.Select(r => r.RewardMilli)] },
                new NpgsqlParameter { Value = recorded.Select(r => r.Post.At.UtcDateTime).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
            },
        };

    private sealed record LockedTip(string UserId, string Features, string? TaskId, string Content, List<EarlierFeedback> Earlier);

    private sealed record EarlierFeedback(FeedbackAction Action, int RewardMilli);

    // Debug, as every per-request success: tips_feedback_received_total and tips_feedback_reward count them.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Bandit learned from {FirstFeedback} first feedback of {Recorded} recorded in one commit")]
    private static partial void LogLearned(ILogger logger, int firstFeedback, int recorded);
}

/// <summary>A person's feedback on a tip, as posted at <paramref name="At"/>.</summary>
internal sealed record FeedbackPost(string UserId, Guid TipId, FeedbackAction Action, long? DwellMs, DateTimeOffset At);
