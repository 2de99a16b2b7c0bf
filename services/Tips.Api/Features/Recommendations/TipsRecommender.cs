using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Tips.Api.Caching;
using Tips.Api.Capacity;
using Tips.Api.Data;
using Tips.Api.Features.Bandit;
using Tips.Api.Features.Context;
using Tips.Contracts;

namespace Tips.Api.Features.Recommendations;

/// <summary>
/// GET /tips: Stage 1 assembles the pool (context, LLM candidates, task rules, fallbacks), Stage 2 scores it with
/// the ε-greedy bandit, Stage 3 logs one <c>tip_scores</c> row per served tip before anything is returned.
/// </summary>
internal sealed partial class TipsRecommender(
    IContextAssembler assembler,
    LlmCandidates llm,
    BanditStore bandit,
    IDbContextFactory<TipsDbContext> dbs,
    ExpiringCache<string, ScoringState> states,
    KeptPools pools,
    TipLog log,
    WorkSlot slot,
    IRandomSource random,
    IOptions<BanditOptions> banditOptions,
    IOptions<RecommendationOptions> options,
    TimeProvider time,
    TipsApiMetrics metrics,
    ILogger<TipsRecommender> logger)
{
    public async Task<IReadOnlyList<Tip>> RecommendAsync(string userId, int limit, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();

        // Stage 1, in parallel: the person's context, their cached LLM candidates, and the scoring state. The context's
        // signals are read only when a prompt goes to the LLM: scoring does not use them.
        var contextTask = assembler.AssembleTasksAsync(userId, cancellationToken);
        var cachedTask = llm.ReadCacheAsync(userId, cancellationToken);
        var stateTask = states.GetOrLoadAsync(userId, (id, ct) => ReadScoringStateAsync(id, now, ct), cancellationToken);
        await Task.WhenAll(contextTask, cachedTask, stateTask);
        var context = contextTask.Result;
        var state = stateTask.Result;

        var batch = cachedTask.Result?.Batch;
        if (cachedTask.Result is { IsFresh: false })
        {
            metrics.CacheLookup("stale");
            await llm.RefreshInBackgroundAsync(userId, await assembler.WithSignalsAsync(userId, context, cancellationToken), cancellationToken);
        }
        else if (batch is null)
        {
            metrics.CacheLookup("miss");
            // Waiting for the LLM is not work on this machine: let another request have the slot.
            slot.GiveBack();
            batch = await llm.WaitForNewAsync(userId, await assembler.WithSignalsAsync(userId, context, cancellationToken), cancellationToken);
        }
        else
        {
            metrics.CacheLookup("fresh");
        }
        metrics.ContextAssembled(context.Origin);

        var kept = pools.For(userId, context, batch, state.Suppressed, limit, now);
        var pool = kept.Pool;

        // Stage 2: predicted rewards, then ε-greedy picks with their exact propensities. The vectors but for the clock,
        // and the task groups, are the kept pool's.
        var clock = BanditFeatures.Clock.At(context.Prompt.LocalTime);
        var predicted = new double[pool.Count];
        for (var i = 0; i < pool.Count; i++)
        {
            predicted[i] = clock.Predict(state.Theta, kept.Untimed[i]);
        }

        var epsilon = banditOptions.Value.Epsilon;
        var picks = EpsilonGreedy.Choose(predicted, limit, epsilon, random, kept.Groups);

        // Stage 3: every served tip is logged, committed with its request's other tips, before the response.
        var requestId = Guid.CreateVersion7(now);
        var rows = picks.Select((pick, position) =>
        {
            var candidate = pool[pick.Index];
            var isLlm = candidate.Source == TipSource.Llm;
            return new TipScore
            {
                Id = Guid.CreateVersion7(now),
                RequestId = requestId,
                UserId = userId,
                ServedAt = now,
                Position = (short)position,
                Content = candidate.Content,
                TipKind = candidate.Kind,
                TipSource = candidate.Source,
                TaskId = candidate.TaskId,
                Rationale = candidate.Rationale,
                PromptVersion = isLlm ? candidate.PromptVersion ?? batch?.PromptVersion : null,
                LlmModel = isLlm ? candidate.Model ?? batch?.LlmModel : null,
                Policy = banditOptions.Value.PolicyName,
                Epsilon = epsilon,
                Explored = pick.Explored,
                Propensity = pick.Propensity,
                PredictedReward = pick.Predicted,
                CandidateCount = pool.Count,
                Features = LoggedFeatures.Write(clock.Complete(kept.Untimed[pick.Index]), kept.SummaryJson, pick.Remaining),
            };
        }).ToList();

        await log.AppendAsync(rows, cancellationToken);

        // Counted once logged: what the metrics call served is what tip_scores holds.
        metrics.PoolScored(pool.Count);
        for (var i = 0; i < picks.Length; i++)
        {
            metrics.Served(rows[i].TipSource, rows[i].TipKind);
            metrics.Decided(picks[i], rows[i].Policy);
        }

        LogServed(logger, rows.Count, pool.Count, context.Origin.ToString(), batch is not null);
        return [.. rows.Select(r => new Tip(
            r.Id, r.Content, r.TipKind, r.TipSource, r.Rationale, r.TaskId,
            r.TaskId is { } id && kept.TaskById.TryGetValue(id, out var task) ? task.Url : null,
            r.ServedAt))];
    }

    /// <summary>The person's model (and the global one, when not cached) and what they acted on lately: one round trip.</summary>
    private async Task<ScoringState> ReadScoringStateAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        var models = bandit.ReadModels(userId);
        var recent = Suppression.RecentCommand(userId, now, options.Value);
        await using var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection());
        foreach (var command in models.Commands)
        {
            batch.BatchCommands.Add(command);
        }
        if (recent is not null)
        {
            batch.BatchCommands.Add(recent);
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var model = await bandit.CoefficientsAsync(models, reader, cancellationToken);
        var suppressed = recent is null || !await reader.NextResultAsync(cancellationToken)
            ? Suppression.None
            : await Suppression.ReadAsync(reader, now, options.Value, cancellationToken);
        // Unchanged since the state this one replaces, the suppression stays the same object: the kept pool holds.
        return new ScoringState(model, suppressed.OrSame(states.TryGetExpired(userId, out var earlier) ? earlier.Suppressed : null));
    }

    // Debug: a line per request is noise at hundreds a second and work on the hot path; tips_recommender_served_total counts them.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Served {Served} of {PoolSize} candidates (tasks {TasksOrigin}, LLM candidates {HasLlm})")]
    private static partial void LogServed(ILogger logger, int served, int poolSize, string tasksOrigin, bool hasLlm);
}

/// <summary>What scoring needs of a person besides the pool: their model's coefficients and what they recently put
/// away. Kept per process for <see cref="RecommendationOptions.StateCacheFor"/>; their own feedback here changes it in
/// place (<see cref="Feedback.FeedbackRecorder"/>), so the next request need not read it again.</summary>
internal sealed record ScoringState(Coefficients Model, Suppression Suppressed)
{
    public double[] Theta => Model.Theta;
}

/// <summary>What <c>tip_scores.features</c> holds: the scored vector by name, the pool it was chosen from (counts
/// by kind and source, so that off-policy evaluation can compute a target policy's probabilities), and how many
/// candidates were left when this slot was filled.</summary>
internal sealed record LoggedFeatures(Dictionary<string, double> X, PoolSummary Pool, int Remaining)
{
    /// <summary>Generated at build time: by reflection, writing them was 2 % of Tips.Api's CPU at saturation.</summary>
    public static JsonTypeInfo<LoggedFeatures> Json => LoggedFeaturesJson.Default.LoggedFeatures;

    /// <summary>
    /// The JSON <see cref="Json"/> writes for the vector <paramref name="x"/> by name (<see cref="BanditFeatures.ToNamed"/>),
    /// its pool's summary and <paramref name="remaining"/>, written straight from the vector and the summary's own JSON
    /// (<see cref="PoolSummary.ToJson"/>, kept with the pool): no dictionary, and the summary written once per pool.
    /// </summary>
    public static string Write(ReadOnlySpan<double> x, string poolJson, int remaining)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("x");
            for (var i = 0; i < BanditFeatures.Names.Length; i++)
            {
                json.WriteNumber(BanditFeatures.Names[i], BanditFeatures.Logged(x[i]));
            }
            json.WriteEndObject();
            json.WritePropertyName("pool");
            json.WriteRawValue(poolJson, skipInputValidation: true);
            json.WriteNumber("remaining", remaining);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LoggedFeatures))]
internal sealed partial class LoggedFeaturesJson : JsonSerializerContext;

internal sealed record PoolSummary(int K, Dictionary<string, int> Kinds, Dictionary<string, int> Sources)
{
    /// <summary>This summary as <see cref="LoggedFeatures.Json"/> writes it inside a <see cref="LoggedFeatures"/>.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, LoggedFeaturesJson.Default.PoolSummary);

    public static PoolSummary Of(IReadOnlyList<TipCandidate> pool) => new(
        pool.Count,
        pool.GroupBy(c => c.Kind).ToDictionary(g => WireName.Of(g.Key), g => g.Count()),
        pool.GroupBy(c => c.Source).ToDictionary(g => WireName.Of(g.Key), g => g.Count()));
}
