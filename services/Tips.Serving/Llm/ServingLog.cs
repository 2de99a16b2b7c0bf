namespace Tips.Serving.Llm;

/// <summary>
/// Every log line of Tips.Serving. None carries the master key, a prompt, or a task's or tip's text: those are
/// the person's data. Counts, statuses, ids of the gateway and the parser's error (which quotes at most a short
/// kind or task id) are what an operator needs.
/// </summary>
internal static partial class ServingLog
{
    [LoggerMessage(Level = LogLevel.Information,
        Message = "LLM gateway {GatewayUrl}, model alias {Alias}; attempt timeout {AttemptTimeout}, deadline {Deadline}")]
    public static partial void GatewayConfigured(ILogger logger, Uri gatewayUrl, string alias, TimeSpan attemptTimeout, TimeSpan deadline);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "LITELLM_MASTER_KEY is not set: requests to the LLM gateway carry no key, and a gateway with a master key will refuse them (502 llm-gateway-rejected)")]
    public static partial void NoMasterKey(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Generated {Tips} tip(s) in {Attempts} model call(s), {HttpRequests} gateway request(s); model {LlmModel}, deployment {ModelId}, call {CallId}")]
    public static partial void Generated(ILogger logger, int tips, int attempts, int httpRequests, string? llmModel, string? modelId, string? callId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model call {Attempt} gave an unusable reply ({ReplyLength} characters, finish {FinishReason}): {Error}")]
    public static partial void UnusableReply(ILogger logger, int attempt, int replyLength, string? finishReason, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model call {Attempt}: dropped {Dropped} invalid tip(s): {Reasons}")]
    public static partial void DroppedTips(ILogger logger, int attempt, int dropped, string reasons);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Generation failed on model call {Attempt} after {HttpRequests} gateway request(s): {Status} {ProblemType} (gateway status {GatewayStatus})")]
    public static partial void GenerationFailed(ILogger logger, int attempt, int httpRequests, int status, string problemType, int? gatewayStatus);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the gateway's /v1/model/info ({Reason}); llm_model stays unnamed where the reply does not name it")]
    public static partial void ModelInfoFailed(ILogger logger, string reason);
}
