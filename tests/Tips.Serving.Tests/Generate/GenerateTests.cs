using System.Text.Json;
using Tips.Contracts;
using Tips.Serving.Tests.Support;
using Tips.TestSupport.FakeGateway;

namespace Tips.Serving.Tests.Generate;

/// <summary>POST /generate against a gateway that answers well, or with the quirks local models have.</summary>
public sealed class GenerateTests : GatewayTest
{
    [Fact]
    public async Task A_valid_reply_gives_llm_candidates_with_model_prompt_version_and_usage()
    {
        Gateway.Enqueue(FakeGatewayReply.Completion(Contexts.ThreeTipsJson(), usage: new FakeUsage(700, 150)));

        var generated = await ReadGeneratedAsync(await GenerateAsync());

        Assert.Equal("tips-v1", generated.PromptVersion);
        Assert.Equal(FakeLlmGateway.DefaultModel, generated.LlmModel);
        Assert.Equal(1, generated.Attempts);
        Assert.Equal(new LlmUsage(700, 150, 850), generated.Usage);
        Assert.Equal(["llm:1", "llm:2", "llm:3"], generated.Candidates.Select(c => c.Id));
        Assert.All(generated.Candidates, c =>
        {
            Assert.Equal(TipSource.Llm, c.Source);
            Assert.Equal(FakeLlmGateway.DefaultModel, c.Model);
            Assert.Equal("tips-v1", c.PromptVersion);
        });
        var first = generated.Candidates[0];
        Assert.Equal("Pay the rent for March before lunch.", first.Content);
        Assert.Equal(TipKind.Task, first.Kind);
        Assert.Equal("It is two days overdue and urgent.", first.Rationale);
        Assert.Equal(Contexts.OverdueUrgent, first.TaskId);
        Assert.Equal(0.92, first.Confidence);
        Assert.Equal(TipKind.Insight, generated.Candidates[2].Kind);
        Assert.Null(generated.Candidates[2].TaskId);
    }

    [Fact]
    public async Task The_wire_body_is_snake_case()
    {
        Gateway.Enqueue(FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));

        var response = await GenerateAsync();

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Equal("tips-v1", root.GetProperty("prompt_version").GetString());
        Assert.Equal(FakeLlmGateway.DefaultModel, root.GetProperty("llm_model").GetString());
        Assert.Equal("task", root.GetProperty("candidates")[0].GetProperty("kind").GetString());
        Assert.Equal("llm", root.GetProperty("candidates")[0].GetProperty("source").GetString());
        Assert.Equal(Contexts.OverdueUrgent, root.GetProperty("candidates")[0].GetProperty("task_id").GetString());
        Assert.True(root.GetProperty("usage").TryGetProperty("input_tokens", out _));
    }

    [Fact]
    public async Task The_request_carries_the_bearer_key_the_alias_and_the_output_limit()
    {
        Gateway.Enqueue(FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));

        await ReadGeneratedAsync(await GenerateAsync());

        var request = Assert.Single(Gateway.ChatRequests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal($"Bearer {FakeLlmGateway.DefaultMasterKey}", request.Authorization);
        Assert.Equal(FakeLlmGateway.DefaultAlias, request.Model);
        Assert.Equal(800, request.Property("max_completion_tokens")?.GetInt32());
        Assert.Equal("json_object", request.Property("response_format")?.GetProperty("type").GetString());
        Assert.Equal(["system", "user"], request.Messages.Select(m => m.Role));
    }

    [Fact]
    public async Task The_prompt_shows_the_tasks_most_pressing_first_and_asks_for_the_count()
    {
        Gateway.Enqueue(FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));

        await ReadGeneratedAsync(await GenerateAsync(Contexts.Request(count: 2)));

        var user = Gateway.ChatRequests[0].Messages[1].Content;
        var order = new[] { Contexts.OverdueUrgent, Contexts.OverdueLow, Contexts.DueLaterUrgent, Contexts.NoDue }
            .Select(id => user.IndexOf($"id \"{id}\"", StringComparison.Ordinal))
            .ToArray();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order(), order);
        Assert.Contains("Pay the rent for March | priority p1 (urgent) | due 2026-02-28, overdue by 2 days | labels: home, money", user);
        Assert.Contains("Monday 2026-03-02 10:00 (+01:00)", user);
        Assert.Contains("Europe/Madrid", user);
        Assert.Contains("Write exactly 2 different tips.", user);
        Assert.Contains("\"tips\"", Gateway.ChatRequests[0].Messages[0].Content);
    }

    [Theory]
    [InlineData("```json\n{0}\n```")]
    [InlineData("```JSON\n{0}\n```")]
    [InlineData("```\n{0}\n```")]
    [InlineData("~~~json\n{0}\n~~~")]
    [InlineData("```json\n{0}")]
    [InlineData("<think>Rent is overdue {first}.</think>\n```json\n{0}\n```")]
    [InlineData("\uFEFF{0}")]
    public async Task Fenced_or_wrapped_replies_are_used_at_the_first_attempt(string wrapping)
    {
        Gateway.Enqueue(FakeGatewayReply.Completion(wrapping.Replace("{0}", Contexts.ThreeTipsJson(), StringComparison.Ordinal)));

        var generated = await ReadGeneratedAsync(await GenerateAsync());

        Assert.Equal(1, generated.Attempts);
        Assert.Equal(3, generated.Candidates.Count);
        Assert.Single(Gateway.ChatRequests);
    }

    [Fact]
    public async Task Prose_around_the_json_is_ignored()
    {
        Gateway.Enqueue(FakeGatewayReply.Completion($"Here are three tips for you [as asked]:\n\n{Contexts.ThreeTipsJson()}\n\nGood luck with the rent!"));

        var generated = await ReadGeneratedAsync(await GenerateAsync());

        Assert.Equal(3, generated.Candidates.Count);
        Assert.Equal(1, generated.Attempts);
    }

    [Theory]
    [InlineData("bare array")]
    [InlineData("data wrapper")]
    [InlineData("single object")]
    public async Task Wrapper_shapes_are_accepted(string shape)
    {
        var tip = """{"content":"Water the plants now.","kind":"task","rationale":"A day overdue.","task_id":"6Xq3bPlants"}""";
        Gateway.Enqueue(FakeGatewayReply.Completion(shape switch
        {
            "bare array" => $"[{tip}]",
            "data wrapper" => $$"""{"data":[{{tip}}]}""",
            _ => tip,
        }));

        var generated = await ReadGeneratedAsync(await GenerateAsync(Contexts.Request(count: 1)));

        var candidate = Assert.Single(generated.Candidates);
        Assert.Equal("Water the plants now.", candidate.Content);
        Assert.Equal(Contexts.OverdueLow, candidate.TaskId);
    }

    [Fact]
    public async Task Trailing_commas_and_comments_are_tolerated()
    {
        Gateway.Enqueue(FakeGatewayReply.Completion("""
            {"tips": [
              // overdue first
              {"content": "Pay the rent for March before lunch.", "kind": "task", "rationale": "Overdue.", "task_id": "6Xq3aRent",},
              {"content": "Water the plants.", "kind": "task", "rationale": "A day overdue.", "task_id": "6Xq3bPlants",},
            ],}
            """));

        var generated = await ReadGeneratedAsync(await GenerateAsync(Contexts.Request(count: 2)));

        Assert.Equal([Contexts.OverdueUrgent, Contexts.OverdueLow], generated.Candidates.Select(c => c.TaskId));
    }

    [Fact]
    public async Task A_tip_with_an_invalid_kind_is_dropped_and_the_rest_served()
    {
        var tips = Contexts.ThreeTips();
        tips[1] = tips[1] with { Kind = "todo" };
        Gateway.Enqueue(FakeGatewayReply.Tips(tips));

        var generated = await ReadGeneratedAsync(await GenerateAsync());

        Assert.Equal([tips[0].Content, tips[2].Content], generated.Candidates.Select(c => c.Content));
        Assert.Equal(["llm:1", "llm:2"], generated.Candidates.Select(c => c.Id));
        Assert.Equal(1, generated.Attempts);
        Assert.Single(Gateway.ChatRequests);
    }

    [Fact]
    public async Task A_tip_naming_a_task_that_was_not_given_is_dropped()
    {
        var tips = Contexts.ThreeTips();
        tips[0] = tips[0] with { TaskId = "8Zz9invented" };
        Gateway.Enqueue(FakeGatewayReply.Tips(tips));

        var generated = await ReadGeneratedAsync(await GenerateAsync());

        Assert.DoesNotContain(generated.Candidates, c => c.TaskId == "8Zz9invented");
        Assert.Equal(2, generated.Candidates.Count);
        Assert.Single(Gateway.ChatRequests);
    }

    [Fact]
    public async Task No_more_candidates_than_asked_are_returned()
    {
        Gateway.Enqueue(FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));

        var generated = await ReadGeneratedAsync(await GenerateAsync(Contexts.Request(count: 1)));

        Assert.Equal("Pay the rent for March before lunch.", Assert.Single(generated.Candidates).Content);
    }
}
