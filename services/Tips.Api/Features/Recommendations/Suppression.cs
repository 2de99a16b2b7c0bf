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
    private readonly HashSet<string> _taskIds = taskIds;
    private readonly HashSet<string> _contents = contents;

    public static Suppression None { get; } = new([], []);

    public bool Hides(TipCandidate candidate) =>
        (candidate.TaskId is { } id && _taskIds.Contains(id)) || _contents.Contains(candidate.Content.Trim());

    /// <summary>
    /// <paramref name="earlier"/> itself when it hides exactly what this does, else this: a read that finds nothing
    /// new gives back the object already in use, so that what was built from it is kept (<see cref="KeptPools"/>).
    /// </summary>
    public Suppression OrSame(Suppression? earlier) =>
        earlier is not null && earlier._taskIds.SetEquals(_taskIds) && earlier._contents.SetEquals(_contents) ? earlier : this;

    /// <summary>The statement that reads what the person acted on lately (done, dismissed or snoozed tips), for a
    /// caller to run in a batch with others; null when nothing is ever suppressed.</summary>
    public static NpgsqlBatchCommand? RecentCommand(string userId, DateTimeOffset now, RecommendationOptions options)
    {
        var longest = Longest(options);
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
            if (HidesFor(action, now - reader.GetFieldValue<DateTimeOffset>(1), options))
            {
                Add(taskIds, contents, reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3));
            }
        }
        return new Suppression(taskIds, contents);
    }

    /// <summary>This, and what <paramref name="acted"/> on just now puts away, as a read of the feedback would give it.</summary>
    public Suppression With(IEnumerable<(FeedbackAction Action, string? TaskId, string Content)> acted, RecommendationOptions options)
    {
        var hidden = Longest(options) > TimeSpan.Zero ? acted.Where(a => HidesFor(a.Action, TimeSpan.Zero, options)).ToList() : [];
        if (hidden.Count == 0)
        {
            return this;
        }
        var ids = new HashSet<string>(_taskIds, StringComparer.Ordinal);
        var texts = new HashSet<string>(_contents, StringComparer.OrdinalIgnoreCase);
        foreach (var (_, taskId, content) in hidden)
        {
            Add(ids, texts, taskId, content);
        }
        return new Suppression(ids, texts);
    }

    private static TimeSpan Longest(RecommendationOptions options) =>
        options.SuppressAfterFeedback > options.SnoozeFor ? options.SuppressAfterFeedback : options.SnoozeFor;

    /// <summary>Whether feedback <paramref name="action"/> posted <paramref name="age"/> ago still puts its tip away.</summary>
    private static bool HidesFor(FeedbackAction action, TimeSpan age, RecommendationOptions options) => action switch
    {
        FeedbackAction.Snooze => age <= options.SnoozeFor,
        FeedbackAction.Done or FeedbackAction.Dismiss => age <= options.SuppressAfterFeedback,
        _ => false,
    };

    private static void Add(HashSet<string> taskIds, HashSet<string> contents, string? taskId, string content)
    {
        if (taskId is not null)
        {
            taskIds.Add(taskId);
        }
        contents.Add(content.Trim());
    }
}
