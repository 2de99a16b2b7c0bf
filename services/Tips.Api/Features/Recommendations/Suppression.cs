using Npgsql;
using Tips.Contracts;

namespace Tips.Api.Features.Recommendations;

/// <summary>
/// Tips the person just acted on are not offered again at once: a task (or a tip's exact wording) marked done or
/// dismissed stays away for <see cref="RecommendationOptions.SuppressAfterFeedback"/>, a snoozed one for
/// <see cref="RecommendationOptions.SnoozeFor"/>. Todoist may still list a task the person marked done here.
/// </summary>
internal sealed class Suppression(HashSet<string> taskIds, HashSet<string> contents)
{
    public static Suppression None { get; } = new([], []);

    public bool Hides(TipCandidate candidate) =>
        (candidate.TaskId is { } id && taskIds.Contains(id)) || contents.Contains(candidate.Content.Trim());

    /// <summary>The statement that reads what the person acted on lately (done, dismissed or snoozed tips), for a
    /// caller to run in a batch with others; null when nothing is ever suppressed.</summary>
    public static NpgsqlBatchCommand? RecentCommand(string userId, DateTimeOffset now, RecommendationOptions options)
    {
        var longest = options.SuppressAfterFeedback > options.SnoozeFor ? options.SuppressAfterFeedback : options.SnoozeFor;
        if (longest <= TimeSpan.Zero)
        {
            return null;
        }
        return new NpgsqlBatchCommand(
            """
            SELECT f.action, f.created_at, s.task_id, s.content
            FROM tip_feedback f JOIN tip_scores s ON s.id = f.tip_id
            WHERE f.user_id = $1 AND f.created_at >= $2 AND f.action IN ($3, $4, $5)
            """)
        {
            Parameters =
            {
                new NpgsqlParameter<string> { TypedValue = userId },
                new NpgsqlParameter<DateTimeOffset> { TypedValue = (now - longest).ToUniversalTime() },
                new NpgsqlParameter<string> { TypedValue = WireName.Of(FeedbackAction.Done) },
                new NpgsqlParameter<string> { TypedValue = WireName.Of(FeedbackAction.Dismiss) },
                new NpgsqlParameter<string> { TypedValue = WireName.Of(FeedbackAction.Snooze) },
            },
        };
    }

    /// <summary>What to hide, from the result of <see cref="RecentCommand"/>, where <paramref name="reader"/> stands.</summary>
    public static async Task<Suppression> ReadAsync(
        NpgsqlDataReader reader, DateTimeOffset now, RecommendationOptions options, CancellationToken cancellationToken)
    {
        var taskIds = new HashSet<string>(StringComparer.Ordinal);
        var contents = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (await reader.ReadAsync(cancellationToken))
        {
            var action = WireName.Parse<FeedbackAction>(reader.GetString(0));
            var window = action == FeedbackAction.Snooze ? options.SnoozeFor : options.SuppressAfterFeedback;
            if (now - reader.GetFieldValue<DateTimeOffset>(1) > window)
            {
                continue;
            }
            if (!reader.IsDBNull(2))
            {
                taskIds.Add(reader.GetString(2));
            }
            contents.Add(reader.GetString(3).Trim());
        }
        return new Suppression(taskIds, contents);
    }
}
