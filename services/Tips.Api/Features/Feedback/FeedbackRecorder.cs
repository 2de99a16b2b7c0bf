using System.Text.Json;
using Microsoft.EntityFrameworkCore;
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
/// Records a feedback post and teaches the bandit. Every distinct (tip, action) is kept; a repeated identical
/// post returns the stored answer and changes nothing; the models learn once per tip, from its first feedback,
/// in the same transaction as that feedback. The tip's row is locked first, so concurrent posts on one tip are
/// taken one at a time and never learn twice.
/// </summary>
internal sealed partial class FeedbackRecorder(
    TipsDbContext db,
    BanditStore bandit,
    ExpiringCache<string, ScoringState> states,
    ContextCache contexts,
    TimeProvider time,
    TipsApiMetrics metrics,
    ILogger<FeedbackRecorder> logger)
{
    /// <returns>The answer, or null when the tip does not exist or is not the caller's.</returns>
    public async Task<FeedbackResponse?> RecordAsync(
        string userId, Guid tipId, FeedbackAction action, long? dwellMs, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var tip = await LockTipAsync(connection, tipId, userId, cancellationToken);
        if (tip is null)
        {
            metrics.Feedback(action, "unknown_tip");
            return null;
        }

        if (tip.Earlier.FirstOrDefault(f => f.Action == action) is { } same)
        {
            await transaction.CommitAsync(cancellationToken);
            metrics.Feedback(action, "repeated");
            return new FeedbackResponse(tipId, action, same.RewardMilli / 1000.0);
        }

        // The feedback and, on a tip's first, both models' learning: one round trip, then the commit.
        var rewardMilli = Rewards.InferMilli(action, dwellMs);
        await using var write = new NpgsqlBatch(connection);
        write.BatchCommands.Add(new NpgsqlBatchCommand(InsertFeedbackSql)
        {
            Parameters =
            {
                new NpgsqlParameter<Guid> { TypedValue = tipId },
                new NpgsqlParameter<string> { TypedValue = userId },
                new NpgsqlParameter<string> { TypedValue = WireName.Of(action) },
                new NpgsqlParameter { Value = dwellMs is { } dwell ? dwell : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint },
                new NpgsqlParameter<int> { TypedValue = rewardMilli },
                new NpgsqlParameter<DateTimeOffset> { TypedValue = time.GetUtcNow() },
            },
        });
        if (tip.Earlier.Count == 0)
        {
            // Last before the commit: learning locks the global model's row, which all feedback shares.
            var logged = JsonSerializer.Deserialize<LoggedFeatures>(tip.Features, LoggedFeatures.Json);
            foreach (var learn in bandit.Learn(userId, BanditFeatures.FromNamed(logged?.X ?? []), rewardMilli / 1000.0))
            {
                write.BatchCommands.Add(learn);
            }
            LogLearned(logger, WireName.Of(action), rewardMilli);
        }
        await write.ExecuteNonQueryAsync(cancellationToken);

        await transaction.CommitAsync(cancellationToken);
        // The person's next tips here reflect it at once: what they put away, what their model learned, their signals.
        states.Forget(userId);
        contexts.ForgetSignals(userId);
        metrics.Feedback(action, "recorded", rewardMilli);
        return new FeedbackResponse(tipId, action, rewardMilli / 1000.0);
    }

    /// <summary>
    /// Locks the caller's tip and reads its feedback so far, in one round trip of two statements: the second runs once
    /// the lock is held, so it sees every feedback committed by whoever held it before (one statement joining both
    /// would see the feedback as it was when it started waiting).
    /// </summary>
    private static async Task<LockedTip?> LockTipAsync(
        NpgsqlConnection connection, Guid tipId, string userId, CancellationToken cancellationToken)
    {
        await using var read = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT features FROM tip_scores WHERE id = $1 AND user_id = $2 FOR UPDATE")
                {
                    Parameters = { new NpgsqlParameter<Guid> { TypedValue = tipId }, new NpgsqlParameter<string> { TypedValue = userId } },
                },
                new NpgsqlBatchCommand("SELECT action, reward_milli FROM tip_feedback WHERE tip_id = $1")
                {
                    Parameters = { new NpgsqlParameter<Guid> { TypedValue = tipId } },
                },
            },
        };
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var features = reader.GetString(0);

        await reader.NextResultAsync(cancellationToken);
        var earlier = new List<EarlierFeedback>();
        while (await reader.ReadAsync(cancellationToken))
        {
            earlier.Add(new EarlierFeedback(WireName.Parse<FeedbackAction>(reader.GetString(0)), reader.GetInt32(1)));
        }
        return new LockedTip(features, earlier);
    }

    private const string InsertFeedbackSql =
        "INSERT INTO tip_feedback (tip_id, user_id, action, dwell_ms, reward_milli, created_at) VALUES ($1, $2, $3, $4, $5, $6)";

    private sealed record LockedTip(string Features, List<EarlierFeedback> Earlier);

    private sealed record EarlierFeedback(FeedbackAction Action, int RewardMilli);

    // Debug, as every per-request success: tips_feedback_received_total and tips_feedback_reward count them.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Bandit learned from first feedback {Action} (reward {RewardMilli}‰)")]
    private static partial void LogLearned(ILogger logger, string action, int rewardMilli);
}
