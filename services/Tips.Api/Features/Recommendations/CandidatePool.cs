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
