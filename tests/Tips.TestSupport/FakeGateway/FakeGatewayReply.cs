using System.Text.Json.Nodes;

namespace Tips.TestSupport.FakeGateway;

/// <summary>How the fake gateway answers one chat completion.</summary>
public enum FakeReplyKind
{
    /// <summary>200 with an OpenAI chat completion.</summary>
    Completion,

    /// <summary>An error status with LiteLLM's envelope <c>{"error":{"message","type","param","code"}}</c>.</summary>
    Error,

    /// <summary>Never answers (until the caller gives up or the fake stops).</summary>
    Hang,

    /// <summary>Closes the connection without an answer.</summary>
    Drop,

    /// <summary>Any status and body, e.g. a proxy's HTML error page.</summary>
    Raw,
}

/// <summary>Token counts the fake reports in <c>usage</c>.</summary>
public sealed record FakeUsage(int PromptTokens, int CompletionTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}

/// <summary>
/// One scripted answer of <see cref="FakeLlmGateway"/>. Build with the factory methods; each mirrors a situation of
/// a real LiteLLM proxy (statuses and messages as LiteLLM gives them).
/// </summary>
public sealed record FakeGatewayReply
{
    public FakeReplyKind Kind { get; init; }

    /// <summary>The assistant message's content (<see cref="FakeReplyKind.Completion"/>).</summary>
    public string? Content { get; init; }

    /// <summary><c>stop</c>, or <c>length</c> for a reply cut off at the token limit.</summary>
    public string FinishReason { get; init; } = "stop";

    public FakeUsage? Usage { get; init; } = new(120, 80);

    public int Status { get; init; } = 200;

    public string? ErrorMessage { get; init; }

    public string? ErrorType { get; init; }

    /// <summary>Sent as <c>retry-after</c> (seconds).</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>The content type of a <see cref="FakeReplyKind.Raw"/> reply.</summary>
    public string ContentType { get; init; } = "application/json";

    /// <summary>Waited (real time) before answering.</summary>
    public TimeSpan Latency { get; init; }

    public static FakeGatewayReply Completion(string content, string finishReason = "stop", FakeUsage? usage = null) =>
        new() { Kind = FakeReplyKind.Completion, Content = content, FinishReason = finishReason, Usage = usage ?? new FakeUsage(120, 80) };

    /// <summary>A well-formed <c>{"tips":[…]}</c> reply.</summary>
    public static FakeGatewayReply Tips(params FakeTip[] tips) => Completion(FakeTip.Json(tips));

    /// <summary>A LiteLLM error envelope with this status.</summary>
    public static FakeGatewayReply Error(int status, string message, string? type = null, int? retryAfterSeconds = null) =>
        new() { Kind = FakeReplyKind.Error, Status = status, ErrorMessage = message, ErrorType = type, RetryAfterSeconds = retryAfterSeconds };

    /// <summary>500: the model server behind the gateway refused the connection.</summary>
    public static FakeGatewayReply ConnectionError() => Error(500,
        "litellm.APIConnectionError: Hosted_vllmException - [Errno 111] Connection refused. Received Model Group=tip-generator\n" +
        "Available Model Group Fallbacks=None Connection error.");

    /// <summary>429: every deployment is cooling down or rate limited.</summary>
    public static FakeGatewayReply RateLimited(int retryAfterSeconds) => Error(429,
        $"litellm.RateLimitError: No deployments available for selected model, Try again in {retryAfterSeconds} seconds. " +
        "Passed model=tip-generator. pre-call-checks=False, cooldown_list=[]",
        retryAfterSeconds: retryAfterSeconds);

    /// <summary>408: the upstream model did not answer within the gateway's timeout.</summary>
    public static FakeGatewayReply UpstreamTimeout() => Error(408,
        "litellm.Timeout: Connection timed out. Timeout passed=600.0, time taken=600.012 seconds. Received Model Group=tip-generator");

    /// <summary>503: the provider says it is unavailable.</summary>
    public static FakeGatewayReply ServiceUnavailable() => Error(503,
        "litellm.ServiceUnavailableError: Hosted_vllmException - Service Unavailable. Received Model Group=tip-generator");

    /// <summary>400: the prompt does not fit the model's context window.</summary>
    public static FakeGatewayReply ContextWindowExceeded() => Error(400,
        "litellm.ContextWindowExceededError: litellm.BadRequestError: Hosted_vllmException - the prompt is longer than the context window",
        "invalid_request_error");

    /// <summary>Exactly this status and body: what something that is not a LiteLLM proxy might answer.</summary>
    public static FakeGatewayReply Raw(int status, string body, string contentType = "text/html") =>
        new() { Kind = FakeReplyKind.Raw, Status = status, Content = body, ContentType = contentType };

    public static FakeGatewayReply Hang() => new() { Kind = FakeReplyKind.Hang };

    public static FakeGatewayReply Drop() => new() { Kind = FakeReplyKind.Drop };

    public FakeGatewayReply After(TimeSpan latency) => this with { Latency = latency };
}

/// <summary>A tip as a model writes it in its JSON reply.</summary>
public sealed record FakeTip(string Content, string Kind = "advice", string Rationale = "It helps right now.", string? TaskId = null, double? Confidence = null)
{
    public JsonObject ToJson()
    {
        var tip = new JsonObject { ["content"] = Content, ["kind"] = Kind, ["rationale"] = Rationale };
        if (TaskId is not null)
        {
            tip["task_id"] = TaskId;
        }
        if (Confidence is { } confidence)
        {
            tip["confidence"] = confidence;
        }
        return tip;
    }

    /// <summary><c>{"tips":[…]}</c>, as the prompt asks for.</summary>
    public static string Json(params FakeTip[] tips) =>
        new JsonObject { ["tips"] = new JsonArray([.. tips.Select(t => (JsonNode)t.ToJson())]) }.ToJsonString();

    /// <summary><paramref name="count"/> distinct advice tips that name no task.</summary>
    public static FakeTip[] Advice(int count) =>
        [.. Enumerable.Range(1, count).Select(i => new FakeTip($"Take a five-minute break, then start the next thing ({i}).", "advice", $"Reason {i}."))];
}
