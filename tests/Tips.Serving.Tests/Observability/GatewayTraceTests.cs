using System.Diagnostics;
using System.Net.Http.Json;
using Tips.Contracts;
using Tips.ServiceDefaults;
using Tips.Serving.Llm;
using Tips.Serving.Tests.Support;
using Tips.TestSupport.FakeGateway;
using Tips.TestSupport.Telemetry;

namespace Tips.Serving.Tests.Observability;

/// <summary>One trace runs from the caller through Tips.Serving to the gateway, and names the gateway's call id.</summary>
public sealed class GatewayTraceTests : GatewayTest
{
    private async Task<HttpResponseMessage> GenerateInTraceAsync(TraceContext trace)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/generate")
        {
            Content = JsonContent.Create(Contexts.Request(), options: TipsJson.Options),
        };
        request.Headers.Add("traceparent", trace.TraceParent);
        return await Serving.CreateClient().SendAsync(request);
    }

    [Fact]
    public async Task The_gateway_receives_the_callers_trace()
    {
        var trace = TraceContext.New();

        await ReadGeneratedAsync(await GenerateInTraceAsync(trace));

        var call = Assert.Single(Gateway.ChatRequests);
        Assert.Equal(trace.TraceId, TraceContext.TraceIdOf(call.TraceParent));
    }

    [Fact]
    public async Task Every_try_of_a_retried_call_carries_the_trace()
    {
        Gateway.Enqueue(FakeGatewayReply.ConnectionError(), FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));
        var trace = TraceContext.New();

        await ReadGeneratedAsync(await GenerateInTraceAsync(trace));

        Assert.Equal(2, Gateway.ChatRequests.Count);
        Assert.All(Gateway.ChatRequests, r => Assert.Equal(trace.TraceId, TraceContext.TraceIdOf(r.TraceParent)));
    }

    [Fact]
    public async Task The_gateway_call_id_is_on_the_http_span_the_model_call_span_and_the_request_span()
    {
        var trace = TraceContext.New();
        using var spans = new SpanCapture(trace.TraceId);

        await ReadGeneratedAsync(await GenerateInTraceAsync(trace));

        var callId = Assert.Single(Gateway.ChatRequests).CallId;
        Assert.NotNull(callId);
        var http = Assert.Single(spans.Spans, s => s.Kind == ActivityKind.Client && s.Source.Name == "System.Net.Http"
            && s.GetTagItem("url.full") is string url && url.EndsWith("/v1/chat/completions", StringComparison.Ordinal));
        Assert.Equal(callId, http.GetTagItem(ServingMetrics.CallIdTag));
        var chat = Assert.Single(spans.Spans, s => s.Source.Name == ServingMetrics.ChatTelemetryName);
        Assert.Equal(callId, chat.GetTagItem(ServingMetrics.CallIdTag));
        Assert.Equal("tip-generator", chat.GetTagItem("gen_ai.request.model"));
        // The service's own server span: the child of the caller's (the fake gateway's spans join the trace too).
        var server = Assert.Single(spans.Spans, s => s.Kind == ActivityKind.Server && s.ParentSpanId.ToHexString() == trace.SpanId);
        Assert.Equal(callId, server.GetTagItem(ServingMetrics.CallIdTag));
        Assert.Equal(http.ParentSpanId, chat.SpanId);
    }

    [Fact]
    public async Task Spans_carry_no_task_text_no_prompt_and_no_key()
    {
        var trace = TraceContext.New();
        using var spans = new SpanCapture(trace.TraceId);

        await ReadGeneratedAsync(await GenerateInTraceAsync(trace));

        Assert.NotEmpty(spans.Spans);
        var everything = string.Join('\n', spans.Spans.SelectMany(s =>
            s.TagObjects.Select(t => $"{t.Key}={t.Value}")
                .Concat(s.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name}:{t.Key}={t.Value}")))
                .Append(s.DisplayName)
                .Append(s.StatusDescription ?? "")));
        foreach (var task in Contexts.Standard().Tasks)
        {
            Assert.DoesNotContain(task.Content, everything, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("Pay the rent for March before lunch", everything, StringComparison.Ordinal); // a tip of the reply
        Assert.DoesNotContain(FakeLlmGateway.DefaultMasterKey, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(ServingFactory.ServingKey, everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_problem_from_serving_names_the_callers_trace()
    {
        Gateway.Enqueue(FakeGatewayReply.UpstreamTimeout());
        var trace = TraceContext.New();

        var response = await GenerateInTraceAsync(trace);

        var problem = await response.AssertProblemAsync(System.Net.HttpStatusCode.GatewayTimeout, ProblemTypes.LlmDeadline);
        Assert.Equal(trace.TraceId, problem.GetProperty(ServiceDefaultsExtensions.TraceIdMember).GetString());
        Assert.Equal(trace.TraceId, TraceContext.TraceIdOf(Assert.Single(response.Headers.GetValues(Telemetry.TraceResponseHeader))));
    }
}
