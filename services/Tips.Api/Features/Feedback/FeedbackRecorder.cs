using System.Text.Json;
using Microsoft.EntityFrameworkCore;
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
        var tip = await db.TipScores
            .FromSqlInterpolated($"SELECT * FROM tip_scores WHERE id = {tipId} AND user_id = {userId} FOR UPDATE")
            .AsNoTracking()
            .SingleOrDefaultAsync(cancellationToken);
        if (tip is null)
        {
            metrics.Feedback(action, "unknown_tip");
            return null;
        }

        var earlier = await db.TipFeedback.AsNoTracking()
            .Where(f => f.TipId == tipId)
            .Select(f => new { f.Action, f.RewardMilli })
            .ToListAsync(cancellationToken);
        if (earlier.FirstOrDefault(f => f.Action == action) is { } same)
        {
            await transaction.CommitAsync(cancellationToken);
            metrics.Feedback(action, "repeated");
            return new FeedbackResponse(tipId, action, same.RewardMilli / 1000.0);
        }

        var rewardMilli = Rewards.InferMilli(action, dwellMs);
        db.TipFeedback.Add(new TipFeedback
        {
            TipId = tipId,
            UserId = userId,
            Action = action,
            DwellMs = dwellMs,
            RewardMilli = rewardMilli,
            CreatedAt = time.GetUtcNow(),
        });

        await db.SaveChangesAsync(cancellationToken);
        if (earlier.Count == 0)
        {
            // Last before the commit: learning locks the global model's row, which all feedback shares.
            var logged = JsonSerializer.Deserialize<LoggedFeatures>(tip.Features, LoggedFeatures.Json);
            await bandit.LearnAsync(db, userId, BanditFeatures.FromNamed(logged?.X ?? []), rewardMilli / 1000.0, cancellationToken);
            LogLearned(logger, WireName.Of(action), rewardMilli);
        }

        await transaction.CommitAsync(cancellationToken);
        // The person's next tips here reflect it at once: what they put away, what their model learned, their signals.
        states.Forget(userId);
        contexts.ForgetSignals(userId);
        metrics.Feedback(action, "recorded", rewardMilli);
        return new FeedbackResponse(tipId, action, rewardMilli / 1000.0);
    }

    // Debug, as every per-request success: tips_feedback_received_total and tips_feedback_reward count them.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Bandit learned from first feedback {Action} (reward {RewardMilli}‰)")]
    private static partial void LogLearned(ILogger logger, string action, int rewardMilli);
}
