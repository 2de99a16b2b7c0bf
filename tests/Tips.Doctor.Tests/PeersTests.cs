using Tips.Doctor.Tests.Support;
using Tips.TestSupport;

namespace Tips.Doctor.Tests;

/// <summary>Todoist reachability (no token) and both services' readiness, against loopback fakes.</summary>
public sealed class PeersTests
{
    [Fact]
    public async Task Todoist_answering_401_to_a_request_without_a_token_counts_as_reachable()
    {
        await using var world = await DoctorWorld.StartAsync();

        var outcome = await world.RunAsync();

        var todoist = outcome["todoist.reachable"];
        Assert.Equal("pass", todoist.Status);
        Assert.Contains("401 to a request without a token", todoist.Summary);
        var request = Assert.Single(world.Todoist.Requests);
        Assert.Equal("/api/v1/user", request.Path);
        Assert.Null(request.Authorization);
    }

    [Fact]
    public async Task Todoist_out_of_reach_is_reported_with_what_to_check()
    {
        await using var world = await DoctorWorld.StartAsync();
        world.Variables["TODOIST_API_URL"] = ClosedPort.Url() + "api/v1";

        var outcome = await world.RunAsync();

        Assert.Equal(1, outcome.Exit);
        var todoist = outcome["todoist.reachable"];
        Assert.Equal("fail", todoist.Status);
        Assert.Contains("the connection was refused", todoist.Summary);
        Assert.Contains("HTTPS_PROXY", todoist.Fix);
        outcome.AssertOthersPass("todoist.reachable");
    }

    [Fact]
    public async Task An_api_that_is_not_ready_says_which_of_its_checks_failed()
    {
        await using var world = await DoctorWorld.StartAsync();
        world.Api.Status = 503;
        world.Api.Body = FakeReadiness.Health("unhealthy", ("database", "unhealthy", "Postgres does not answer."));

        var outcome = await world.RunAsync();

        Assert.Equal(1, outcome.Exit);
        var api = outcome["api.ready"];
        Assert.Equal("fail", api.Status);
        Assert.Contains("is not ready (503) (database: unhealthy, Postgres does not answer)", api.Summary);
        Assert.Equal("unhealthy", api.Details["database"]);
        Assert.Contains("./tips logs api", api.Fix);
        outcome.AssertOthersPass("api.ready");
    }

    [Fact]
    public async Task A_serving_service_that_is_ready_but_degraded_passes_and_says_why()
    {
        await using var world = await DoctorWorld.StartAsync();
        world.Serving.Body = FakeReadiness.Health("degraded",
            ("llm_gateway", "degraded", "The LLM gateway at http://localhost:4000/ does not answer; LLM tips are off."));

        var outcome = await world.RunAsync();

        Assert.Equal(0, outcome.Exit);
        Assert.Contains("llm_gateway: degraded, The LLM gateway at http://localhost:4000/ does not answer", outcome["serving.ready"].Summary);
    }

    [Fact]
    public async Task Services_that_do_not_run_are_reported_with_how_to_start_them()
    {
        await using var world = await DoctorWorld.StartAsync();
        world.Variables["SERVING_URL"] = ClosedPort.Url().ToString();
        world.Variables["TIPS_API_URL"] = ClosedPort.Url().ToString();

        var outcome = await world.RunAsync();

        Assert.Equal(1, outcome.Exit);
        Assert.Contains("Tips.Serving does not answer", outcome["serving.ready"].Summary);
        Assert.Contains("SERVING_URL", outcome["serving.ready"].Fix);
        Assert.Contains("Tips.Api does not answer", outcome["api.ready"].Summary);
        Assert.Contains("TIPS_API_URL", outcome["api.ready"].Fix);
        outcome.AssertOthersPass("serving.ready", "api.ready");
    }
}
