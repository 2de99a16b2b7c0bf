using System.Diagnostics;
using System.Text.Json;

namespace Tips.Bench.Load;

/// <summary>
/// What a user does in one window: <c>GET /tips</c>, then, for each served tip with probability
/// <c>feedbackShare</c>, <c>POST /tips/{id}/feedback</c> with a random action and dwell. GET latency counts from the
/// time the request was due (open loop) or sent (closed loop); feedback latency from its own send.
/// </summary>
internal sealed class TipsTraffic(UserCursor users, double feedbackShare, bool keepServedIds,
    CompletionWindow? completions = null)
{
    private static readonly (string Action, double Weight)[] Actions =
        [("helpful", 0.30), ("done", 0.25), ("snooze", 0.15), ("not_helpful", 0.15), ("dismiss", 0.15)];

    private readonly Lock _gate = new();
    private readonly List<Guid> _servedIds = [];
    private long _served;

    public LatencyRecorder Tips { get; } = new();

    public LatencyRecorder Feedback { get; } = new();

    /// <summary>Tips in 2xx answers of <c>GET /tips</c>.</summary>
    public long TipsServed => Interlocked.Read(ref _served);

    public IReadOnlyList<Guid> ServedIds
    {
        get
        {
            lock (_gate)
            {
                return [.. _servedIds];
            }
        }
    }

    /// <summary>A due request the generator could not send (too many open).</summary>
    public void NotSent() => Tips.Add(new Answer(0, null, FailureKind.NotSent), TimeSpan.Zero);

    public async ValueTask SendAsync(ITipsClient client, long due, CancellationToken cancellationToken)
    {
        var user = users.Next();
        var answer = await client.GetTipsAsync(user, cancellationToken);
        Tips.Add(answer, Stopwatch.GetElapsedTime(due));
        completions?.Record(answer);
        if (!answer.IsSuccess || answer.Body is null)
        {
            return;
        }

        var ids = ServedTipIds(answer.Body);
        Interlocked.Add(ref _served, ids.Count);
        if (keepServedIds)
        {
            lock (_gate)
            {
                _servedIds.AddRange(ids);
            }
        }

        foreach (var id in ids)
        {
            if (Random.Shared.NextDouble() >= feedbackShare)
            {
                continue;
            }
            var sent = Stopwatch.GetTimestamp();
            var feedback = await client.PostFeedbackAsync(user, id, PickAction(), Random.Shared.NextInt64(2_000, 300_000), cancellationToken);
            Feedback.Add(feedback, Stopwatch.GetElapsedTime(sent));
        }
    }

    /// <summary>The <c>id</c> of each tip in <c>{"tips":[{"id":…},…]}</c>.</summary>
    private static List<Guid> ServedTipIds(byte[] body)
    {
        var ids = new List<Guid>(1);
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("tips", out var tips) && tips.ValueKind == JsonValueKind.Array)
            {
                foreach (var tip in tips.EnumerateArray())
                {
                    if (tip.TryGetProperty("id", out var id) && id.TryGetGuid(out var guid))
                    {
                        ids.Add(guid);
                    }
                }
            }
        }
        catch (JsonException)
        {
            // a 2xx that is not the contract: no tips served
        }
        return ids;
    }

    private static string PickAction()
    {
        var roll = Random.Shared.NextDouble();
        foreach (var (action, weight) in Actions)
        {
            if ((roll -= weight) < 0)
            {
                return action;
            }
        }
        return Actions[^1].Action;
    }
}
