using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tips.Api.Data;
using Tips.Contracts;

namespace Tips.Api.Features.Context;

/// <summary>
/// The seed's <c>build_context</c>: the person's signals and their ranked, bounded tasks, in their timezone.
/// It works on a database context of its own, so callers may run it beside other database work.
/// </summary>
internal sealed class ContextAssembler(
    IServiceScopeFactory scopes,
    TodoistTaskSource tasks,
    IOptions<ContextOptions> options,
    TimeProvider time) : IContextAssembler
{
    public async Task<AssembledContext> AssembleAsync(string userId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TipsDbContext>();

        var sourced = await tasks.GetAsync(db, userId, cancellationToken);

        var timezone = await db.Users.Where(u => u.Id == userId).Select(u => u.Timezone).FirstOrDefaultAsync(cancellationToken);
        var zone = TimeZones.OrUtc(timezone);
        var now = time.GetUtcNow();
        var signals = await UserSignalsReader.ReadAsync(db, userId, zone, now, cancellationToken);

        var ranked = TaskRanking.Rank(sourced.Tasks, now, zone, options.Value.MaxTasks);
        var prompt = new PromptContext(
            TimeZoneInfo.ConvertTime(now, zone),
            zone.Id,
            signals,
            [.. ranked.Select(t => t.Task)]);
        return new AssembledContext(prompt, ranked, sourced.Origin);
    }
}
