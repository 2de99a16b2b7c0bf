using System.Net;
using Tips.ServiceDefaults;
using Tips.Serving.Tests.Support;
using Tips.TestSupport.FakeGateway;

namespace Tips.Serving.Tests.Generate;

/// <summary>The repair-retry loop: an unusable reply is sent back with the concrete error, at most twice.</summary>
public sealed class RepairTests : GatewayTest
{
    private const string Prose = "I think you should pay the rent first, then water the plants.";

    [Fact]
    public async Task A_malformed_reply_is_repaired_on_the_first_retry()
    {
        Gateway.Enqueue(FakeGatewayReply.Completion(Prose), FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));

        var generated = await ReadGeneratedAsync(await GenerateAsync());

        Assert.Equal(2, generated.Attempts);
        Assert.Equal(3, generated.Candidates.Count);
        Assert.Equal(2, Gateway.ChatRequests.Count);
        Assert.Equal(240, generated.Usage!.InputTokens); // summed over both calls
        Assert.Equal(400, generated.Usage.TotalTokens);
    }

    [Fact]
    public async Task A_malformed_reply_is_repaired_on_the_second_retry()
    {
        Gateway.Enqueue(
            FakeGatewayReply.Completion(Prose),
            FakeGatewayReply.Completion("{\"tips\": \"pay the rent\"}"),
            FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));

        var generated = await ReadGeneratedAsync(await GenerateAsync());

        Assert.Equal(3, generated.Attempts);
        Assert.Equal(3, generated.Candidates.Count);
        Assert.Equal(3, Gateway.ChatRequests.Count);
    }

    [Fact]
    public async Task Malformed_three_times_is_502_with_three_attempts_and_each_error()
    {
        Gateway.Enqueue(
            FakeGatewayReply.Completion(Prose),
            FakeGatewayReply.Completion("```json\n{\"tips\":[{\"content\":\"Pay\",\"kind\":\"chore\",\"rationale\":\"r\"}]}\n```"),
            FakeGatewayReply.Completion("{\"answer\": 42}"),
            FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));

        var response = await GenerateAsync();

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadGateway, ProblemTypes.LlmMalformed, attempts: 3);
        var errors = problem.GetProperty("reply_errors").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Equal("the reply holds no JSON object or array", errors[0]);
        Assert.Contains("kind \"chore\" is not one of task, advice, insight, reminder", errors[1]);
        Assert.Contains("no \"tips\" array", errors[2]);
        Assert.Contains("no \"tips\" array", problem.GetProperty("detail").GetString());
        Assert.Equal(3, problem.GetProperty("gateway_requests").GetInt32());
        Assert.Equal(3, Gateway.ChatRequests.Count); // the fourth, good reply is never asked for
    }

    [Fact]
    public async Task The_correction_carries_the_bad_reply_as_an_assistant_turn_and_the_concrete_error()
    {
        var tips = Contexts.ThreeTips();
        var bad = FakeTip.Json(tips[0] with { TaskId = "8Zz9invented" }, tips[1] with { Kind = "todo" }, tips[2] with { Kind = "hint" });
        Gateway.Enqueue(FakeGatewayReply.Completion(bad), FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));

        await ReadGeneratedAsync(await GenerateAsync());

        var first = Gateway.ChatRequests[0].Messages;
        var second = Gateway.ChatRequests[1].Messages;
        Assert.Equal(["system", "user", "assistant", "user"], second.Select(m => m.Role));
        Assert.Equal(first[0], second[0]);
        Assert.Equal(first[1], second[1]);
        Assert.Equal(bad, second[2].Content);
        var correction = second[3].Content;
        Assert.Contains("could not be used: only 0 of 3 tips are valid and 2 are needed", correction);
        Assert.Contains("task_id \"8Zz9invented\" is not the id of any listed task", correction);
        Assert.Contains("kind \"todo\" is not one of task, advice, insight, reminder", correction);
        Assert.Contains("exactly 3 tips", correction);
    }

    [Fact]
    public async Task The_third_call_carries_both_failed_replies()
    {
        Gateway.Enqueue(
            FakeGatewayReply.Completion(Prose),
            FakeGatewayReply.Completion("[1, 2]"),
            FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));

        await ReadGeneratedAsync(await GenerateAsync());

        var third = Gateway.ChatRequests[2].Messages;
        Assert.Equal(["system", "user", "assistant", "user", "assistant", "user"], third.Select(m => m.Role));
        Assert.Equal(Prose, third[2].Content);
        Assert.Equal("[1, 2]", third[4].Content);
        Assert.Contains("the JSON array holds no tip objects", third[5].Content);
    }

    [Fact]
    public async Task A_reply_cut_off_at_the_token_limit_is_asked_again()
    {
        var cut = Contexts.ThreeTipsJson()[..150];
        Gateway.Enqueue(FakeGatewayReply.Completion(cut, finishReason: "length"), FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));

        var generated = await ReadGeneratedAsync(await GenerateAsync());

        Assert.Equal(2, generated.Attempts);
        Assert.Equal(3, generated.Candidates.Count);
        var correction = Gateway.ChatRequests[1].Messages[3].Content;
        Assert.Contains("cut off at the token limit", correction);
        Assert.Equal(cut, Gateway.ChatRequests[1].Messages[2].Content);
    }

    [Fact]
    public async Task A_cut_off_reply_is_not_quietly_served_with_fewer_tips()
    {
        // Two complete tips made it before the limit: enough to serve, but fewer than asked.
        var two = FakeTip.Json(Contexts.ThreeTips()[..2]);
        Gateway.Enqueue(FakeGatewayReply.Completion(two, finishReason: "length"), FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));

        var generated = await ReadGeneratedAsync(await GenerateAsync());

        Assert.Equal(2, generated.Attempts);
        Assert.Equal(3, generated.Candidates.Count);
    }

    [Fact]
    public async Task Cut_off_three_times_is_502()
    {
        var cut = FakeGatewayReply.Completion(Contexts.ThreeTipsJson()[..100], finishReason: "length");
        Gateway.Enqueue(cut, cut, cut);

        var response = await GenerateAsync();

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadGateway, ProblemTypes.LlmMalformed, attempts: 3);
        Assert.All(problem.GetProperty("reply_errors").EnumerateArray(), e => Assert.Contains("token limit", e.GetString()));
    }

    [Fact]
    public async Task A_cut_off_reply_reported_as_stop_is_caught_by_the_parser()
    {
        // Older gateway builds say "stop" even when the model server truncated the output.
        Gateway.Enqueue(FakeGatewayReply.Completion(Contexts.ThreeTipsJson()[..120]), FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));

        var generated = await ReadGeneratedAsync(await GenerateAsync());

        Assert.Equal(2, generated.Attempts);
        Assert.Contains("the JSON is cut off", Gateway.ChatRequests[1].Messages[3].Content);
    }

    [Fact]
    public async Task Dropped_items_are_logged_without_their_text()
    {
        var tips = Contexts.ThreeTips();
        tips[1] = tips[1] with { Kind = "todo" };
        Gateway.Enqueue(FakeGatewayReply.Tips(tips));

        await ReadGeneratedAsync(await GenerateAsync());

        var dropped = Assert.Single(Serving.Logs.GetSnapshot(), r => r.Message.StartsWith("Model call 1: dropped", StringComparison.Ordinal));
        Assert.Contains("kind \"todo\"", dropped.Message);
        Assert.DoesNotContain(tips[1].Content, dropped.Message);
    }
}
