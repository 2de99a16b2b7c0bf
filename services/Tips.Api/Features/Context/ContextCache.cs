using Microsoft.Extensions.Options;
using Tips.Api.Caching;
using Tips.Contracts;

namespace Tips.Api.Features.Context;

/// <summary>
/// What the context assembler keeps of each person between requests (<see cref="ContextOptions.CacheFor"/>), in parts
/// that change for different reasons: the tasks and timezone change with Todoist and the token, the signals with the
/// person's feedback, and the tasks' ranking with the clock as well (a task falling due, the person's midnight).
/// Feedback drops only the signals, so the tasks are not read, prepared and ranked again for it.
/// </summary>
internal sealed class ContextCache(IOptions<ContextOptions> options, TimeProvider time)
{
    public ExpiringCache<string, ContextInputs> Inputs { get; } = new(options.Value.CacheFor, time);

    public ExpiringCache<string, UserSignals> Signals { get; } = new(options.Value.CacheFor, time);

    /// <summary>The last ranking of the tasks in <see cref="Inputs"/>, while it holds.</summary>
    public ExpiringCache<string, RankedTasks> Ranked { get; } = new(options.Value.CacheFor, time);

    /// <summary>After the person's feedback: their signals count it.</summary>
    public void ForgetSignals(string userId) => Signals.Forget(userId);

    /// <summary>After a token change: other tasks, and perhaps another timezone to count the signals in.</summary>
    public void Forget(string userId)
    {
        Inputs.Forget(userId);
        Signals.Forget(userId);
        Ranked.Forget(userId);
    }
}
