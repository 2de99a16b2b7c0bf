using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Tips.TestSupport.FakeGateway;

/// <summary>A deployment behind an alias, as <c>/v1/model/info</c> lists it.</summary>
/// <param name="Id">The deployment id LiteLLM sends as <c>x-litellm-model-id</c> (<c>model_info.id</c>).</param>
/// <param name="Model">The concrete model (<c>litellm_params.model</c>).</param>
public sealed record FakeDeployment(string Alias, string Model, string Id);

/// <summary>
/// An in-process stand-in for a LiteLLM proxy: a real Kestrel server on 127.0.0.1 (random port) that speaks the
/// OpenAI chat-completion wire format with LiteLLM's headers and error envelopes, so the real client code runs
/// against it. It checks the Bearer master key (401) and the model alias (400 "Invalid model name…") like the real
/// proxy, answers chat completions from a per-test script (replies, errors, hangs, dropped connections, latency),
/// and records every request for assertions. Routes: <c>POST /v1/chat/completions</c> and <c>/chat/completions</c>,
/// <c>GET /v1/models</c>, <c>GET /v1/model/info</c>, <c>GET /health/liveliness</c>, <c>GET /health/readiness</c>.
/// </summary>
public sealed class FakeLlmGateway : IAsyncDisposable
{
    public const string DefaultAlias = "tip-generator";
    public const string DefaultMasterKey = "sk-fake-master-7f3a9c2e41d86b05";
    public const string DefaultModel = "hosted_vllm/tips-fake-7b";
    public const string LiteLlmVersion = "1.81.7";

    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentQueue<FakeGatewayReply> _script = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<FakeDeployment> _deployments = [];
    private readonly Lock _lock = new();
    private TaskCompletionSource _recorded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _requestCount;

    private FakeLlmGateway(WebApplication app, string? masterKey)
    {
        _app = app;
        MasterKey = masterKey;
        AddDeployment(DefaultAlias, DefaultModel);
    }

    /// <summary>Starts a fake gateway; with <paramref name="masterKey"/> null it runs open (any key or none).</summary>
    public static async Task<FakeLlmGateway> StartAsync(string? masterKey = DefaultMasterKey)
    {
        var app = LoopbackApp.Create();
        var gateway = new FakeLlmGateway(app, masterKey);
        app.Run(gateway.HandleAsync);
        gateway.Url = await LoopbackApp.StartAsync(app);
        return gateway;
    }

    /// <summary>The gateway's base URL (what <c>LITELLM_URL</c> is set to), e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri Url { get; private set; } = null!;

    public string? MasterKey { get; }

    public IReadOnlyList<FakeDeployment> Deployments
    {
        get
        {
            lock (_lock)
            {
                return [.. _deployments];
            }
        }
    }

    /// <summary>The deployment behind <see cref="DefaultAlias"/>.</summary>
    public FakeDeployment Deployment => Deployments[0];

    /// <summary>LiteLLM ≥ 1.81.7 echoes the alias in the body's <c>model</c>; older builds named the concrete model.</summary>
    public bool EchoAliasInBody { get; set; } = true;

    /// <summary>Whether responses carry <c>x-litellm-model-id</c>, <c>x-litellm-model-group</c>, <c>x-litellm-call-id</c>….</summary>
    public bool SendLiteLlmHeaders { get; set; } = true;

    /// <summary>When false the health probes answer 503.</summary>
    public bool Alive { get; set; } = true;

    /// <summary>When set, <c>/v1/model/info</c> answers this error instead of the deployments.</summary>
    public FakeGatewayReply? ModelInfoFailure { get; set; }

    /// <summary>Waited before every chat completion (real time), on top of a reply's own latency.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Answers chat completions when the script is empty (before <see cref="DefaultReply"/>).</summary>
    public Func<RecordedRequest, FakeGatewayReply>? Responder { get; set; }

    /// <summary>The answer when the script is empty and there is no <see cref="Responder"/>: three valid advice tips.</summary>
    public FakeGatewayReply DefaultReply { get; set; } = FakeGatewayReply.Tips(FakeTip.Advice(3));

    /// <summary>When false, requests are answered but not kept (a long load run would otherwise hold every one);
    /// <see cref="Requests"/> stays empty and only <see cref="RequestCount"/> counts them.</summary>
    public bool RecordRequests { get; set; } = true;

    /// <summary>Requests received so far, recorded or not.</summary>
    public long RequestCount => Interlocked.Read(ref _requestCount);

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Chat completion requests received, rejected ones (401, 400) included.</summary>
    public IReadOnlyList<RecordedRequest> ChatRequests => [.. Requests.Where(r => r.IsChatCompletion)];

    public FakeDeployment AddDeployment(string alias, string model)
    {
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{alias}|{model}|{_deployments.Count}")));
        var deployment = new FakeDeployment(alias, model, id);
        lock (_lock)
        {
            _deployments.Add(deployment);
        }
        return deployment;
    }

    /// <summary>Queues answers for the next chat completions, in order.</summary>
    public FakeLlmGateway Enqueue(params FakeGatewayReply[] replies)
    {
        foreach (var reply in replies)
        {
            _script.Enqueue(reply);
        }
        return this;
    }

    /// <summary>Waits until the <paramref name="number"/>th chat completion request has arrived, and returns it.</summary>
    public async Task<RecordedRequest> WaitForChatRequestAsync(int number = 1, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            Task next;
            lock (_lock)
            {
                var chats = _requests.Where(r => r.IsChatCompletion).ToList();
                if (chats.Count >= number)
                {
                    return chats[number - 1];
                }
                next = _recorded.Task;
            }
            await next.WaitAsync(cancel.Token);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = await RecordAsync(context);
        var path = request.Path;
        var response = context.Response;

        switch (context.Request.Method, path)
        {
            case ("GET", "/health/liveliness"):
                await WriteJsonAsync(response, Alive ? 200 : 503, Alive ? JsonValue.Create("I'm alive!") : new JsonObject { ["detail"] = "Service Unavailable" });
                return;
            case ("GET", "/health/readiness"):
                await WriteJsonAsync(response, Alive ? 200 : 503, new JsonObject
                {
                    ["status"] = Alive ? "healthy" : "unhealthy",
                    ["db"] = "Not connected",
                    ["cache"] = null,
                    ["litellm_version"] = LiteLlmVersion,
                    ["success_callbacks"] = new JsonArray(),
                });
                return;
        }

        if (path is not ("/v1/chat/completions" or "/chat/completions" or "/v1/models" or "/models" or "/v1/model/info" or "/model/info"))
        {
            await WriteJsonAsync(response, 404, new JsonObject { ["detail"] = "Not Found" });
            return;
        }
        if (AuthenticationError(request) is { } denied)
        {
            await WriteErrorAsync(response, 401, denied, "auth_error", param: "None");
            return;
        }

        switch (path)
        {
            case "/v1/models" or "/models":
                await WriteJsonAsync(response, 200, new JsonObject
                {
                    ["data"] = new JsonArray([.. Deployments.Select(d => d.Alias).Distinct().Select(alias => (JsonNode)new JsonObject
                    {
                        ["id"] = alias,
                        ["object"] = "model",
                        ["created"] = 1677610602,
                        ["owned_by"] = "openai",
                    })]),
                    ["object"] = "list",
                });
                return;
            case "/v1/model/info" or "/model/info":
                if (ModelInfoFailure is { } failure)
                {
                    await WriteErrorAsync(response, failure.Status, failure.ErrorMessage ?? "error", failure.ErrorType);
                    return;
                }
                await WriteJsonAsync(response, 200, ModelInfo());
                return;
        }

        if (context.Request.Method != "POST")
        {
            await WriteJsonAsync(response, 405, new JsonObject { ["detail"] = "Method Not Allowed" });
            return;
        }
        var model = request.Model;
        var deployment = Deployments.FirstOrDefault(d => d.Alias == model);
        if (deployment is null)
        {
            await WriteErrorAsync(response, 400,
                $"{{'error': '/chat/completions: Invalid model name passed in model={model}. Call `/v1/models` to view available models for your key.'}}",
                "None", param: "None");
            return;
        }

        await AnswerChatAsync(context, request, deployment);
    }

    private async Task AnswerChatAsync(HttpContext context, RecordedRequest request, FakeDeployment deployment)
    {
        var reply = _script.TryDequeue(out var scripted) ? scripted : Responder?.Invoke(request) ?? DefaultReply;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            var wait = Latency + reply.Latency;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancel.Token);
            }
            if (reply.Kind == FakeReplyKind.Hang)
            {
                await Task.Delay(Timeout.Infinite, cancel.Token);
            }
        }
        catch (OperationCanceledException)
        {
            context.Abort();
            return;
        }

        var response = context.Response;
        switch (reply.Kind)
        {
            case FakeReplyKind.Drop:
                context.Abort();
                return;
            case FakeReplyKind.Raw:
                response.StatusCode = reply.Status;
                response.ContentType = reply.ContentType;
                await response.WriteAsync(reply.Content ?? "");
                return;
            case FakeReplyKind.Error:
                if (reply.RetryAfterSeconds is { } seconds)
                {
                    response.Headers["retry-after"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                await WriteErrorAsync(response, reply.Status, reply.ErrorMessage ?? "error", reply.ErrorType);
                return;
        }

        if (SendLiteLlmHeaders)
        {
            response.Headers["x-litellm-model-id"] = deployment.Id;
            response.Headers["x-litellm-model-group"] = deployment.Alias;
            request.CallId = Guid.NewGuid().ToString();
            response.Headers["x-litellm-call-id"] = request.CallId;
            response.Headers["x-litellm-response-cost"] = "0.0";
            response.Headers["x-litellm-version"] = LiteLlmVersion;
            response.Headers["x-litellm-model-api-base"] = "http://model-server:8000";
        }
        var usage = reply.Usage;
        await WriteJsonAsync(response, 200, new JsonObject
        {
            ["id"] = $"chatcmpl-{Guid.NewGuid()}",
            ["created"] = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds(),
            ["model"] = EchoAliasInBody ? deployment.Alias : deployment.Model,
            ["object"] = "chat.completion",
            ["system_fingerprint"] = null,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["finish_reason"] = reply.FinishReason,
                ["index"] = 0,
                ["message"] = new JsonObject
                {
                    ["content"] = reply.Content ?? "",
                    ["role"] = "assistant",
                    ["tool_calls"] = null,
                    ["function_call"] = null,
                },
            }),
            ["usage"] = usage is null ? null : new JsonObject
            {
                ["completion_tokens"] = usage.CompletionTokens,
                ["prompt_tokens"] = usage.PromptTokens,
                ["total_tokens"] = usage.TotalTokens,
                ["completion_tokens_details"] = null,
                ["prompt_tokens_details"] = null,
            },
        });
    }

    /// <summary>LiteLLM's answers to a missing or wrong key (it shows only the key's last characters).</summary>
    private string? AuthenticationError(RecordedRequest request)
    {
        if (MasterKey is null)
        {
            return null;
        }
        var header = request.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return "Authentication Error, No api key passed in.";
        }
        var key = header["Bearer ".Length..];
        if (key == MasterKey)
        {
            return null;
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        var tail = key.Length > 4 ? key[^4..] : key;
        return $"Authentication Error, Invalid proxy server token passed. Received API Key = sk-...{tail}, Key Hash (Token) ={hash}. " +
               "Unable to find token in cache or `LiteLLM_VerificationTokenTable`";
    }

    private JsonObject ModelInfo() => new()
    {
        ["data"] = new JsonArray([.. Deployments.Select(d => (JsonNode)new JsonObject
        {
            ["model_name"] = d.Alias,
            ["litellm_params"] = new JsonObject
            {
                ["model"] = d.Model,
                ["api_base"] = "http://model-server:8000",
                ["timeout"] = 600,
            },
            ["model_info"] = new JsonObject
            {
                ["id"] = d.Id,
                ["db_model"] = false,
                ["key"] = d.Model,
                ["mode"] = "chat",
                ["max_tokens"] = null,
                ["input_cost_per_token"] = 0,
                ["output_cost_per_token"] = 0,
                ["litellm_provider"] = d.Model.Split('/')[0],
            },
        })]),
    };

    private async Task<RecordedRequest> RecordAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var recorded = new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "/", headers, body);
        Interlocked.Increment(ref _requestCount);
        if (!RecordRequests)
        {
            return recorded;
        }
        TaskCompletionSource signal;
        lock (_lock)
        {
            _requests.Add(recorded);
            signal = _recorded;
            _recorded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        signal.SetResult();
        return recorded;
    }

    private static Task WriteErrorAsync(HttpResponse response, int status, string message, string? type, string? param = null) =>
        WriteJsonAsync(response, status, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["message"] = message,
                ["type"] = type,
                ["param"] = param,
                ["code"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        });

    private static async Task WriteJsonAsync(HttpResponse response, int status, JsonNode? body)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        await response.WriteAsync(body?.ToJsonString(Wire) ?? "null");
    }

    /// <summary>Like the proxy's own JSON: apostrophes and non-ASCII text as they are, not as \u escapes.</summary>
    private static readonly JsonSerializerOptions Wire = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
