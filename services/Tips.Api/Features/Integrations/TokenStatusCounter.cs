using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tips.Api.Data;
using Tips.Contracts;

namespace Tips.Api.Features.Integrations;

/// <summary>How often the API counts stored Todoist tokens by status for <c>tips.todoist.tokens</c> (section <c>Metrics</c>).</summary>
public sealed class TokenStatusMetricsOptions
{
    public const string Section = "Metrics";

    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Metrics__TokenStatusRefresh must be within 100 ms..1 h.")]
    public TimeSpan TokenStatusRefresh { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Counts stored Todoist tokens by status every <see cref="TokenStatusMetricsOptions.TokenStatusRefresh"/>, for the
/// <c>tips.todoist.tokens</c> gauge. A scrape reads the last count and never waits for the database; a failed count
/// keeps the previous one.
/// </summary>
internal sealed partial class TokenStatusCounter(
    IDbContextFactory<TipsDbContext> dbs,
    TipsApiMetrics metrics,
    IOptions<TokenStatusMetricsOptions> options,
    TimeProvider time,
    ILogger<TokenStatusCounter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.TokenStatusRefresh, time);
        do
        {
            await CountAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task CountAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var db = await dbs.CreateDbContextAsync(stoppingToken);
            var counts = await db.TodoistIntegrations.AsNoTracking()
                .GroupBy(i => i.TokenStatus)
                .Select(g => new { Status = g.Key, Count = g.LongCount() })
                .ToDictionaryAsync(g => g.Status, g => g.Count, stoppingToken);
            metrics.TokensCounted(counts);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LogCountFailed(logger, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Counting Todoist tokens by status failed ({ErrorType}); the gauge keeps the last count")]
    private static partial void LogCountFailed(ILogger logger, string errorType);
}
