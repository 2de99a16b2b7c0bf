using System.Collections.Frozen;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Tips.Contracts;
using Tips.ServiceDefaults;
using Tips.Serving.Prompts;

namespace Tips.Serving.Llm;

/// <summary>
/// One <c>POST /generate</c>: renders the prompt, calls the gateway by alias, and runs the repair-retry loop of
/// design.md. A reply that cannot be used (no JSON, wrong shape, too few valid tips, cut off at the token limit)
/// is sent back as an assistant turn with a correction naming the concrete error, at most twice (3 model calls).
/// HTTP faults are retried below this, by the gateway client's resilience handler, and are not counted here.
/// </summary>
internal sealed class TipGenerator(
    IChatClient chat,
    ModelCatalog models,
    PromptLibrary prompts,
    IOptions<GatewayOptions> gatewayOptions,
    IOptions<PromptOptions> promptOptions,
    TimeProvider time,
    ServingMetrics metrics,
    ILogger<TipGenerator> logger)
{
    public const int MaxModelCalls = 3;

    public async Task<GenerateResponse> GenerateAsync(PromptContext context, int count, CancellationToken aborted)
    {
        var started = time.GetTimestamp();
        var exchange = GatewayExchange.Begin(new GatewayExchange(time.GetUtcNow() + gatewayOptions.Value.Deadline));
        try
        {
            var response = await GenerateAsync(exchange, context, count, aborted);
            metrics.Succeeded(time.GetElapsedTime(started), response.Attempts, exchange.HttpRequests, response.LlmModel);
            return response;
        }
        catch (ProblemException problem)
        {
            metrics.Failed(time.GetElapsedTime(started), problem);
            Activity.Current?.SetTag("tips.generation.result", problem.Type);
            throw;
        }
        finally
        {
            if (exchange.CallId is { } callId)
            {
                // The request's span names the gateway's last call, so that a tip can be found in the gateway's logs.
                Activity.Current?.SetTag(ServingMetrics.CallIdTag, callId);
            }
        }
    }

    private async Task<GenerateResponse> GenerateAsync(GatewayExchange exchange, PromptContext context, int count, CancellationToken aborted)
    {
        var gateway = gatewayOptions.Value;
        var prompt = prompts.Render(promptOptions.Value.Version, context, count);
        var taskIds = context.Tasks.Select(t => t.Id).ToFrozenSet(StringComparer.Ordinal);

        using var deadline = new CancellationTokenSource(gateway.Deadline, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, deadline.Token);

        List<ChatMessage> messages = [new(ChatRole.System, prompt.System), new(ChatRole.User, prompt.User)];
        var options = new ChatOptions { MaxOutputTokens = gateway.MaxOutputTokens, ResponseFormat = ChatResponseFormat.Json };
        var usage = new UsageTotals();
        var errors = new List<string>(MaxModelCalls);

        for (var attempt = 1; attempt <= MaxModelCalls; attempt++)
        {
            ChatResponse response;
            try
            {
                response = await chat.GetResponseAsync(messages, options, linked.Token);
            }
            catch (Exception e) when (!aborted.IsCancellationRequested &&
                                      GatewayFailure.Map(e, attempt, exchange.HttpRequests, gateway, deadline.IsCancellationRequested, time.GetUtcNow()) is { } problem)
            {
                ServingLog.GenerationFailed(logger, attempt, exchange.HttpRequests, problem.Status, problem.Type,
                    problem.Extensions.TryGetValue("gateway_status", out var status) ? status as int? : null);
                throw problem;
            }

            usage.Add(response.Usage);
            var text = response.Text;
            var reply = TipReplyParser.Parse(text, count, taskIds);
            var error = reply.Error;
            var cutOff = response.FinishReason == ChatFinishReason.Length && (error is not null || reply.Tips.Count < count);
            if (cutOff)
            {
                // Cut off mid-answer: taking the tips that made it would quietly serve fewer than asked.
                error = string.Create(CultureInfo.InvariantCulture,
                    $"the reply was cut off at the token limit (finish_reason \"length\", at most {gateway.MaxOutputTokens} tokens) " +
                    $"before all {count} tips were complete; write shorter tips");
            }

            metrics.Reply(cutOff ? "cut_off" : error is null ? "usable" : "malformed");
            if (error is null)
            {
                if (reply.Dropped.Count > 0)
                {
                    ServingLog.DroppedTips(logger, attempt, reply.Dropped.Count, string.Join("; ", reply.Dropped));
                }
                var llmModel = await ConcreteModelAsync(exchange.ModelId, response.ModelId, gateway.Alias, linked.Token, aborted);
                ServingLog.Generated(logger, reply.Tips.Count, attempt, exchange.HttpRequests, llmModel, exchange.ModelId, exchange.CallId);
                return new GenerateResponse(
                    [.. reply.Tips.Select((tip, i) => ToCandidate(tip, i + 1, llmModel, prompt.Version))],
                    prompt.Version,
                    llmModel,
                    attempt,
                    usage.ToContract());
            }

            errors.Add(error);
            ServingLog.UnusableReply(logger, attempt, text.Length, response.FinishReason?.Value, error);
            if (attempt < MaxModelCalls)
            {
                metrics.RepairRetry();
                messages.Add(new ChatMessage(ChatRole.Assistant, text));
                messages.Add(new ChatMessage(ChatRole.User, Correction(error, count)));
            }
        }

        ServingLog.GenerationFailed(logger, MaxModelCalls, exchange.HttpRequests, StatusCodes.Status502BadGateway, ProblemTypes.LlmMalformed, null);
        var extensions = GatewayFailure.Extensions(new(MaxModelCalls, exchange.HttpRequests), null);
        extensions["reply_errors"] = errors;
        throw new ProblemException(StatusCodes.Status502BadGateway, ProblemTypes.LlmMalformed, "The model's reply was unusable",
            $"The model's reply was still unusable after {MaxModelCalls} model calls: {errors[^1]}.", extensions);
    }

    /// <summary>What the model is told after an unusable reply: the concrete error, then the shape again.</summary>
    internal static string Correction(string error, int count) => string.Create(CultureInfo.InvariantCulture,
        $$"""
        Your previous reply could not be used: {{error}}.
        Answer again with only one JSON object, no prose and no markdown fences, holding exactly {{count}} tips:
        {"tips":[{"content":"…","kind":"task|advice|insight|reminder","rationale":"…","task_id":"… or null","confidence":0.8}]}
        """);

    /// <summary>
    /// The model that answered: the deployment named by <c>x-litellm-model-id</c> in <c>/v1/model/info</c>, else
    /// the body's <c>model</c> when it is not the alias (older gateways name the model there). Else unknown.
    /// </summary>
    private async Task<string?> ConcreteModelAsync(string? modelId, string? bodyModel, string alias, CancellationToken token, CancellationToken aborted)
    {
        try
        {
            if (await models.ResolveAsync(modelId, token) is { } named)
            {
                return named;
            }
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            // The deadline passed while looking the model up: the tips are good, only their model stays unnamed.
        }
        return bodyModel is { Length: > 0 } && !string.Equals(bodyModel, alias, StringComparison.Ordinal) ? bodyModel : null;
    }

    private static TipCandidate ToCandidate(ParsedTip tip, int number, string? model, string promptVersion) => new(
        Id: string.Create(CultureInfo.InvariantCulture, $"llm:{number}"),
        Content: tip.Content,
        Kind: tip.Kind,
        Source: TipSource.Llm,
        Rationale: tip.Rationale,
        TaskId: tip.TaskId,
        Confidence: tip.Confidence,
        Model: model,
        PromptVersion: promptVersion);

    /// <summary>Token counts summed over every model call; null when the gateway reported none.</summary>
    private sealed class UsageTotals
    {
        private long _input, _output, _total;
        private bool _any;

        public void Add(UsageDetails? usage)
        {
            if (usage is null)
            {
                return;
            }
            _any = true;
            _input += usage.InputTokenCount ?? 0;
            _output += usage.OutputTokenCount ?? 0;
            _total += usage.TotalTokenCount ?? (usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0);
        }

        public LlmUsage? ToContract() => _any ? new LlmUsage(_input, _output, _total) : null;
    }
}
