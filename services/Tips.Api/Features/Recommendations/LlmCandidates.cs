using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Polly.CircuitBreaker;
using Refit;
using Tips.Api.Caching;
using Tips.Api.Data;
using Tips.Contracts;

namespace Tips.Api.Features.Recommendations;

/// <summary>A set of LLM candidates and how it was made.</summary>
internal sealed record LlmBatch(IReadOnlyList<TipCandidate> Candidates, string PromptVersion, string? LlmModel, DateTimeOffset GeneratedAt);

/// <summary>A cached batch and whether it is still within its TTL.</summary>
internal sealed record CachedBatch(LlmBatch Batch, bool IsFresh);

/// <summary>
/// LLM candidates per person, cached in Postgres (<c>llm_candidate_sets</c>) so that most requests make no LLM
/// call. A request waits for a new batch only up to the LLM deadline; the generation goes on in the background and
/// fills the cache. One generation per person at a time in this process (later callers join it), and a stale
/// batch is refreshed by one replica (claimed through <c>refresh_started_at</c>). A batch read or made here is also
/// kept in the process for <see cref="RecommendationOptions.StateCacheFor"/>, so a warm request reads no row at all.
/// </summary>
internal sealed partial class LlmCandidates(
    IServiceProvider services,
    IDbContextFactory<TipsDbContext> dbs,
    IOptions<RecommendationOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    TipsApiMetrics metrics,
    ILogger<LlmCandidates> logger)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<LlmBatch?>>> _inFlight = new(StringComparer.Ordinal);

    private readonly ExpiringCache<string, LlmBatch> _kept = new(options.Value.StateCacheFor, time);

    public async Task<CachedBatch?> ReadCacheAsync(string userId, CancellationToken cancellationToken)
    {
        if (!_kept.TryGet(userId, out var batch))
        {
            batch = await ReadStoredAsync(userId, _kept.TryGetExpired(userId, out var last) ? last : null, cancellationToken);
            if (batch is null)
            {
                return null;
            }
            _kept.Set(userId, batch);
        }

        var age = time.GetUtcNow() - batch.GeneratedAt;
        return age > options.Value.CandidateMaxAge ? null : new CachedBatch(batch, age <= options.Value.CandidateTtl);
    }

    /// <summary>
    /// The person's stored batch; <paramref name="last"/> itself when it is still the stored one (same
    /// <c>generated_at</c>), without reading or parsing its candidates again, so that the pool built from it is kept.
    /// </summary>
    private async Task<LlmBatch?> ReadStoredAsync(string userId, LlmBatch? last, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var read = new NpgsqlCommand(
            """
            SELECT CASE WHEN generated_at = $2 THEN NULL ELSE candidates END, prompt_version, llm_model, generated_at
            FROM llm_candidate_sets WHERE user_id = $1
            """,
            (NpgsqlConnection)db.Database.GetDbConnection())
        {
            Parameters =
            {
                new NpgsqlParameter<string> { TypedValue = userId },
                new NpgsqlParameter { Value = (object?)last?.GeneratedAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz },
            },
        };
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        if (reader.IsDBNull(0) && last is not null)
        {
            return last;
        }
        var candidates = JsonSerializer.Deserialize<List<TipCandidate>>(reader.GetString(0), TipsJson.Options) ?? [];
        return new LlmBatch(candidates, reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.GetFieldValue<DateTimeOffset>(3));
    }

    /// <summary>A new batch if one arrives within the LLM deadline, else null (the reason is logged).</summary>
    public async Task<LlmBatch?> WaitForNewAsync(string userId, PromptContext context, CancellationToken cancellationToken)
    {
        var generation = Start(userId, context);
        try
        {
            var batch = await generation.WaitAsync(options.Value.LlmDeadline, time, cancellationToken);
            metrics.Waited(batch is null ? "none" : "arrived");
            return batch;
        }
        catch (TimeoutException)
        {
            metrics.Waited("deadline");
            LogDeadlinePassed(logger, options.Value.LlmDeadline.TotalMilliseconds);
            return null;
        }
    }

    /// <summary>Replaces a stale batch in the background, unless another request or replica already does.</summary>
    public async Task RefreshInBackgroundAsync(string userId, PromptContext context, CancellationToken cancellationToken)
    {
        if (_inFlight.ContainsKey(userId))
        {
            return;
        }

        var now = time.GetUtcNow();
        var claimExpiredBefore = now - options.Value.GenerationTimeout;
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var claimed = await db.Database.ExecuteSqlInterpolatedAsync(
            $"""
            UPDATE llm_candidate_sets SET refresh_started_at = {now}
            WHERE user_id = {userId} AND (refresh_started_at IS NULL OR refresh_started_at < {claimExpiredBefore})
            """,
            cancellationToken);
        if (claimed == 1)
        {
            _ = Start(userId, context);
        }
    }

    private Task<LlmBatch?> Start(string userId, PromptContext context)
    {
        var lazy = _inFlight.GetOrAdd(userId, id => new Lazy<Task<LlmBatch?>>(() => Task.Run(() => GenerateAsync(id, context))));
        return lazy.Value;
    }

    private async Task<LlmBatch?> GenerateAsync(string userId, PromptContext context)
    {
        // Its own span: the generation may outlive the request that started it (a stale refresh, a passed deadline).
        using var activity = TipsApiMetrics.Activities.StartActivity("generate llm candidates");
        string? result = null; // stays null only when the app stops mid-generation
        int? refusedStatus = null;
        try
        {
            using var timeout = new CancellationTokenSource(options.Value.GenerationTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, lifetime.ApplicationStopping);
            var serving = services.GetRequiredService<IServingApi>();
            var response = await serving.GenerateAsync(new GenerateRequest(context, options.Value.LlmCandidateCount), linked.Token);

            var batch = new LlmBatch(
                [.. response.Candidates.Select(c => c with
                {
                    Source = TipSource.Llm,
                    PromptVersion = c.PromptVersion ?? response.PromptVersion,
                    Model = c.Model ?? response.LlmModel,
                })],
                response.PromptVersion,
                response.LlmModel,
                time.GetUtcNow());
            await StoreAsync(userId, batch, linked.Token);
            _kept.Set(userId, batch);
            result = "ok";
            LogGenerated(logger, batch.Candidates.Count, response.Attempts, batch.PromptVersion, batch.LlmModel);
            return batch;
        }
        catch (ApiException e) when ((int)e.StatusCode >= 400)
        {
            (result, refusedStatus) = ("refused", (int)e.StatusCode);
            LogServingRefused(logger, (int)e.StatusCode, ProblemType(e.Content));
        }
        catch (Exception e) when (IsOpenCircuit(e))
        {
            result = "circuit_open";
            LogCircuitOpen(logger);
        }
        catch (OperationCanceledException) when (!lifetime.ApplicationStopping.IsCancellationRequested)
        {
            result = "timeout";
            LogGenerationTimedOut(logger, options.Value.GenerationTimeout.TotalSeconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Unreachable, reset, unreadable answer, or the cache write failed: no LLM tips this time, never an error.
            result = "error";
            LogGenerationFailed(logger, e.GetType().Name, e.GetBaseException().Message);
        }
        finally
        {
            _inFlight.TryRemove(userId, out _);
            if (result is not null)
            {
                metrics.Generated(result, refusedStatus);
                activity?.SetTag("tips.generation.result", result);
                if (result != "ok")
                {
                    activity?.SetStatus(ActivityStatusCode.Error, result);
                }
            }
        }
        return null;
    }

    private async Task StoreAsync(string userId, LlmBatch batch, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(batch.Candidates, TipsJson.Options);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await db.TouchAsync(userId, batch.GeneratedAt, cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"""
            INSERT INTO llm_candidate_sets (user_id, candidates, prompt_version, llm_model, generated_at, refresh_started_at)
            VALUES ({userId}, {json}::jsonb, {batch.PromptVersion}, {batch.LlmModel}, {batch.GeneratedAt}, NULL)
            ON CONFLICT (user_id) DO UPDATE SET
                candidates = EXCLUDED.candidates, prompt_version = EXCLUDED.prompt_version, llm_model = EXCLUDED.llm_model,
                generated_at = EXCLUDED.generated_at, refresh_started_at = NULL
            """,
            cancellationToken);
    }

    /// <summary>The breaker refused the call; Refit may hand its exception over wrapped.</summary>
    private static bool IsOpenCircuit(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is BrokenCircuitException)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The problem <c>type</c> of a Tips.Serving error body, for the log line that says why.</summary>
    private static string ProblemType(string? content)
    {
        try
        {
            return content is not null && JsonDocument.Parse(content).RootElement.TryGetProperty("type", out var type)
                ? type.GetString() ?? "unknown"
                : "unknown";
        }
        catch (JsonException)
        {
            return "unknown";
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No new LLM candidates within the {DeadlineMs} ms deadline; serving without them while generation goes on")]
    private static partial void LogDeadlinePassed(ILogger logger, double deadlineMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cached {Count} LLM candidates ({Attempts} attempts, prompt {PromptVersion}, model {LlmModel})")]
    private static partial void LogGenerated(ILogger logger, int count, int attempts, string promptVersion, string? llmModel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM candidates unavailable: Tips.Serving answered {Status} ({ProblemType})")]
    private static partial void LogServingRefused(ILogger logger, int status, string problemType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM candidates unavailable: Tips.Serving failed repeatedly, calls are paused (circuit open)")]
    private static partial void LogCircuitOpen(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM candidates unavailable: generation gave up after {Seconds} s")]
    private static partial void LogGenerationTimedOut(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM candidates unavailable: {ErrorType}: {Reason}")]
    private static partial void LogGenerationFailed(ILogger logger, string errorType, string reason);
}
