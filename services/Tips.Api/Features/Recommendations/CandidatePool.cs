using Microsoft.Extensions.Options;
using Tips.Api.Caching;
using Tips.Api.Features.Bandit;
using Tips.Api.Features.Context;
using Tips.Contracts;

namespace Tips.Api.Features.Recommendations;

/// <summary>The merged pool the bandit scores.</summary>
internal static class CandidatePool
{
    /// <summary>
    /// LLM candidates (only those whose task, if they name one, is still open) and task-direct candidates, minus
    /// what the person recently finished, dismissed or snoozed, without repeated contents. Curated fallbacks fill
    /// the pool up to <paramref name="limit"/> when it is short, so a request is always answered.
    /// </summary>
    public static List<TipCandidate> Build(
        AssembledContext context, LlmBatch? batch, Suppression suppressed, int limit, int taskTipLimit, DateTimeOffset now)
    {
        var openTasks = context.Tasks.Select(t => t.Task.Id).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pool = new List<TipCandidate>();

        void Add(TipCandidate candidate)
        {
            if (!suppressed.Hides(candidate) && seen.Add(candidate.Content.Trim()))
            {
                pool.Add(candidate);
            }
        }

        foreach (var candidate in batch?.Candidates ?? [])
        {
            if (candidate.TaskId is null || openTasks.Contains(candidate.TaskId))
            {
                Add(candidate);
            }
        }
        foreach (var candidate in TaskTipRules.Candidates(context.Tasks, now, taskTipLimit))
        {
            Add(candidate);
        }

        if (pool.Count < limit)
        {
            foreach (var fallback in FallbackTips.All)
            {
                Add(fallback);
            }
        }
        if (pool.Count < limit)
        {
            // Everything was recently dismissed: better a repeated fallback than no answer.
            foreach (var fallback in FallbackTips.All.Where(f => !pool.Contains(f)))
            {
                pool.Add(fallback);
            }
        }
        return pool;
    }
}

/// <summary>
/// Each person's last pool, used again while what it was built from is unchanged: the same kept task ranking, LLM
/// batch and suppression (the very objects: their caches put new ones in place whenever they change) and the same
/// limit, until a task tip's wording could change (<see cref="TaskTipRules.HoldsUntil"/>). Building the pool (task
/// tips' texts, hashing every candidate's text) was 6.6 % of Tips.Api's CPU at saturation.
/// </summary>
internal sealed class KeptPools(IOptions<RecommendationOptions> options, TimeProvider time)
{
    private readonly ExpiringCache<string, KeptPool> _pools = new(options.Value.StateCacheFor, time);

    public KeptPool For(string userId, AssembledContext context, LlmBatch? batch, Suppression suppressed, int limit, DateTimeOffset now)
    {
        // Past the cache's lifetime, a pool is still good while what it was built from is the same objects (their
        // caches give the same object back when a reload finds no change), but never past Until.
        if (_pools.TryGetExpired(userId, out var kept) && now < kept.Until && kept.IsFrom(context.Tasks, batch, suppressed, limit))
        {
            return kept;
        }
        var pool = CandidatePool.Build(context, batch, suppressed, limit, options.Value.TaskTipLimit, now);
        var taskById = context.Tasks.ToDictionary(t => t.Task.Id, StringComparer.Ordinal);
        var untimed = pool.Select(c => BanditFeatures.Untimed(c, c.TaskId is { } id && taskById.TryGetValue(id, out var t) ? t.Task : null)).ToArray();
        kept = new KeptPool(context.Tasks, batch, suppressed, limit, TaskTipRules.HoldsUntil(context.Tasks, now), pool,
            PoolSummary.Of(pool).ToJson(), taskById, untimed, TaskGroups(pool));
        _pools.Set(userId, kept, kept.Until);
        return kept;
    }

    /// <summary>Each candidate's group for <see cref="EpsilonGreedy.Choose"/>: one per task, so that one request never
    /// serves two tips about the same task; a candidate about no task is a group of its own.</summary>
    internal static int[] TaskGroups(IReadOnlyList<TipCandidate> pool)
    {
        var groups = new int[pool.Count];
        var taskGroups = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < pool.Count; i++)
        {
            if (pool[i].TaskId is not { } taskId)
            {
                groups[i] = -1 - i;
                continue;
            }
            if (!taskGroups.TryGetValue(taskId, out var group))
            {
                group = taskGroups.Count;
                taskGroups[taskId] = group;
            }
            groups[i] = group;
        }
        return groups;
    }
}

/// <summary>
/// A pool, its summary's JSON for the log (<see cref="PoolSummary"/>), and what it was built from (with its tasks by
/// id); and what scoring needs of it that stays the same while it is kept: each candidate's feature vector but for the
/// clock (<see cref="BanditFeatures.Untimed"/>), and its task group.
/// </summary>
internal sealed record KeptPool(
    IReadOnlyList<ContextTask> Tasks, LlmBatch? Batch, Suppression Suppressed, int Limit, DateTimeOffset Until,
    IReadOnlyList<TipCandidate> Pool, string SummaryJson, IReadOnlyDictionary<string, ContextTask> TaskById,
    IReadOnlyList<double[]> Untimed, int[] Groups)
{
    public bool IsFrom(IReadOnlyList<ContextTask> tasks, LlmBatch? batch, Suppression suppressed, int limit) =>
        ReferenceEquals(tasks, Tasks) && ReferenceEquals(batch, Batch) && ReferenceEquals(suppressed, Suppressed) && limit == Limit;
}
