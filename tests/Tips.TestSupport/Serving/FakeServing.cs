using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Tips.Contracts;

namespace Tips.TestSupport.Serving;

/// <summary>
/// Tips.Serving as the API sees it, on a real loopback port: <c>POST /generate</c> answers what the test scripted
/// (a GenerateResponse, a problem+json error, or nothing at all), and every request is recorded.
/// </summary>
public sealed class FakeServing : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<GenerateRequest, FakeServingReply>> _script = new();
    private Func<GenerateRequest, FakeServingReply> _default;

    private FakeServing(WebApplication app, Func<GenerateRequest, FakeServingReply> defaultReply)
    {
        _app = app;
        _default = defaultReply;
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>Every <c>POST /generate</c> body received, in order.</summary>
    public ConcurrentQueue<GenerateRequest> Requests { get; } = new();

    /// <summary>The <c>X-Serving-Key</c> header of every <c>POST /generate</c>, in order.</summary>
    public ConcurrentQueue<string> Keys { get; } = new();

    /// <summary>The W3C <c>traceparent</c> header of every <c>POST /generate</c>, in order ("" when none came).</summary>
    public ConcurrentQueue<string> TraceParents { get; } = new();

    public int Calls => Requests.Count;

    public static async Task<FakeServing> StartAsync()
    {
        var app = LoopbackApp.Create();
        var fake = new FakeServing(app, request => FakeServingReply.Candidates(Sample(request)));

        app.MapGet("/health/ready", () => Results.Json(new { status = "healthy" }));
        app.MapPost("/generate", async (HttpContext http) =>
        {
            var request = await JsonSerializer.DeserializeAsync<GenerateRequest>(http.Request.Body, TipsJson.Options, http.RequestAborted)
                ?? throw new InvalidOperationException("empty body");
            fake.Keys.Enqueue(http.Request.Headers["X-Serving-Key"].ToString());
            fake.TraceParents.Enqueue(http.Request.Headers["traceparent"].ToString());
            fake.Requests.Enqueue(request);
            var reply = fake._script.TryDequeue(out var next) ? next(request) : fake._default(request);
            await reply.WriteAsync(http);
        });

        fake.Url = await LoopbackApp.StartAsync(app);
        return fake;
    }

    /// <summary>The next request gets this reply (queued; later requests get the default).</summary>
    public FakeServing Then(Func<GenerateRequest, FakeServingReply> reply)
    {
        _script.Enqueue(reply);
        return this;
    }

    /// <summary>Every request without a scripted reply gets this one.</summary>
    public FakeServing Always(Func<GenerateRequest, FakeServingReply> reply)
    {
        _default = reply;
        return this;
    }

    /// <summary>Three LLM candidates: advice, insight, and a task tip about the context's first task if any.</summary>
    public static GenerateResponse Sample(GenerateRequest request, string model = "fake-model-7b", string promptVersion = "tips-v1")
    {
        var candidates = new List<TipCandidate>
        {
            new("llm:0", "Take a ten-minute walk before your next block of work.", TipKind.Advice, TipSource.Llm,
                "Short breaks restore focus.", Confidence: 0.7, Model: model, PromptVersion: promptVersion),
            new("llm:1", "You finish more in the morning: put the hard task first.", TipKind.Insight, TipSource.Llm,
                "Completion history leans to mornings.", Confidence: 0.6, Model: model, PromptVersion: promptVersion),
        };
        if (request.Context?.Tasks is [var first, ..])
        {
            candidates.Add(new("llm:2", $"Block 30 minutes now for “{first.Content}”.", TipKind.Task, TipSource.Llm,
                "It is the most pressing open task.", first.Id, 0.8, model, promptVersion));
        }
        return new GenerateResponse(candidates, promptVersion, model, 1, new LlmUsage(500, 120, 620));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TimeSpan.FromSeconds(1));
        await _app.DisposeAsync();
    }
}

/// <summary>One scripted answer of <see cref="FakeServing"/>.</summary>
public sealed class FakeServingReply
{
    private readonly Func<HttpContext, Task> _write;

    private FakeServingReply(Func<HttpContext, Task> write) => _write = write;

    public Task WriteAsync(HttpContext http) => _write(http);

    public static FakeServingReply Candidates(GenerateResponse response) =>
        new(http => http.Response.WriteAsJsonAsync(response, TipsJson.Options, http.RequestAborted));

    /// <summary>A problem+json error as Tips.Serving writes them (e.g. 503 llm-gateway-unavailable).</summary>
    public static FakeServingReply Problem(int status, string type, int attempts = 1) =>
        new(http =>
        {
            http.Response.StatusCode = status;
            http.Response.ContentType = "application/problem+json";
            return http.Response.WriteAsync(
                JsonSerializer.Serialize(new { type, title = "LLM unavailable", status, attempts }), http.RequestAborted);
        });

    /// <summary>Never answers (until the caller gives up).</summary>
    public static FakeServingReply Hang() =>
        new(async http => await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default));

    /// <summary>Answers <paramref name="reply"/> once <paramref name="gate"/> completes.</summary>
    public static FakeServingReply After(Task gate, FakeServingReply reply) =>
        new(async http =>
        {
            await gate.WaitAsync(http.RequestAborted);
            await reply.WriteAsync(http);
        });

    /// <summary>A 200 whose body is not a GenerateResponse.</summary>
    public static FakeServingReply Garbage() =>
        new(http =>
        {
            http.Response.ContentType = "application/json";
            return http.Response.WriteAsync("{\"candidates\": \"not a list\"", http.RequestAborted);
        });
}
