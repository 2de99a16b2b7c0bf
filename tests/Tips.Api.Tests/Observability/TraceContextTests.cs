using System.Net;
using Tips.Api.Tests.Support;
using Tips.ServiceDefaults;
using Tips.TestSupport.Serving;
using Tips.TestSupport.Telemetry;

namespace Tips.Api.Tests.Observability;

/// <summary>A user's report can be found: every answer names its W3C trace, and the trace goes on into Tips.Serving.</summary>
public sealed class TraceContextTests : ApiTest
{
    private static HttpRequestMessage Get(string path, TraceContext? trace)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (trace is not null)
        {
            request.Headers.Add("traceparent", trace.TraceParent);
        }
        return request;
    }

    [Fact]
    public async Task A_problem_names_the_callers_trace_in_its_body_and_in_traceresponse()
    {
        var trace = TraceContext.New();

        var response = await Api.ClientFor("ana").SendAsync(Get("/tips?limit=9", trace));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(trace.TraceId, problem.GetProperty(ServiceDefaultsExtensions.TraceIdMember).GetString());
        Assert.False(problem.TryGetProperty("traceId", out _), "one trace id, not two");
        var traceResponse = Assert.Single(response.Headers.GetValues(Telemetry.TraceResponseHeader));
        Assert.Equal(trace.TraceId, TraceContext.TraceIdOf(traceResponse));
    }

    [Fact]
    public async Task Without_a_traceparent_the_trace_id_in_the_problem_is_the_one_in_traceresponse()
    {
        var response = await Api.ClientFor(null).SendAsync(Get("/tips", trace: null));

        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        var traceId = problem.GetProperty(ServiceDefaultsExtensions.TraceIdMember).GetString();
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        Assert.Equal(traceId, TraceContext.TraceIdOf(Assert.Single(response.Headers.GetValues(Telemetry.TraceResponseHeader))));
    }

    [Fact]
    public async Task A_database_outage_names_the_trace_too()
    {
        Api.With("ConnectionStrings:Tips", "Host=127.0.0.1;Port=9;Database=tips;Username=tips;Password=x;Timeout=1");
        var trace = TraceContext.New();

        var response = await Api.ClientFor("ana").SendAsync(Get("/tips", trace));

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(trace.TraceId, problem.GetProperty(ServiceDefaultsExtensions.TraceIdMember).GetString());
        Assert.Equal(trace.TraceId, TraceContext.TraceIdOf(Assert.Single(response.Headers.GetValues(Telemetry.TraceResponseHeader))));
    }

    [Fact]
    public async Task A_served_tip_names_its_trace_as_well()
    {
        var trace = TraceContext.New();

        var response = await Api.ClientFor("ana").SendAsync(Get("/tips", trace));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(trace.TraceId, TraceContext.TraceIdOf(Assert.Single(response.Headers.GetValues(Telemetry.TraceResponseHeader))));
    }

    [Fact]
    public async Task A_page_of_an_allowed_origin_may_read_the_trace_of_its_answer()
    {
        Api.With("Cors:AllowedOrigins", "https://tips.example.com");
        var request = Get("/tips", TraceContext.New());
        request.Headers.Add("Origin", "https://tips.example.com");

        var response = await Api.ClientFor("ana").SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(Telemetry.TraceResponseHeader, response.Headers.GetValues("Access-Control-Expose-Headers"));
    }

    [Fact]
    public async Task Tips_serving_receives_the_trace_of_the_get_tips_request()
    {
        await using var serving = await FakeServing.StartAsync();
        Api.WithServing(serving);
        var trace = TraceContext.New();

        var response = await Api.ClientFor("ana").SendAsync(Get("/tips", trace));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var traceParent = Assert.Single(serving.TraceParents);
        Assert.Equal(trace.TraceId, TraceContext.TraceIdOf(traceParent));
        Assert.NotEqual(trace.SpanId, traceParent.Split('-')[2]); // a span of the API's own, below the caller's
    }
}
