using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Tips.Contracts;
using Tips.ServiceDefaults;
using Tips.Serving.Tests.Support;

namespace Tips.Serving.Tests;

/// <summary>Bad requests are 400 naming the field, and never reach the gateway.</summary>
public sealed class ValidationTests : GatewayTest
{
    private async Task<JsonElement> AssertInvalidAsync(HttpResponseMessage response, string field)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.Validation);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors name '{field}': {problem}");
        Assert.Empty(Gateway.ChatRequests);
        return problem;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    [InlineData(-3)]
    public async Task Count_must_be_1_to_10(int count)
    {
        await AssertInvalidAsync(await GenerateAsync(Contexts.Request(count)), "count");
    }

    [Fact]
    public async Task Context_is_required()
    {
        var response = await Serving.CreateClient().PostAsync("/generate", new StringContent("""{"count":3}""", Encoding.UTF8, "application/json"));

        await AssertInvalidAsync(response, "context");
    }

    [Fact]
    public async Task At_most_50_tasks_are_accepted()
    {
        var context = Contexts.Standard() with
        {
            Tasks = [.. Enumerable.Range(1, 51).Select(i => new PromptTask($"t{i}", $"Task {i}", 1, null, false, 0, []))],
        };

        await AssertInvalidAsync(await GenerateAsync(Contexts.Request(context: context)), "context.tasks");
    }

    [Fact]
    public async Task A_bad_task_field_is_named_with_its_index()
    {
        var standard = Contexts.Standard();
        var context = standard with { Tasks = [standard.Tasks[0], standard.Tasks[1] with { Priority = 9 }] };

        await AssertInvalidAsync(await GenerateAsync(Contexts.Request(context: context)), "context.tasks[1].priority");
    }

    [Fact]
    public async Task Task_ids_must_be_unique()
    {
        var standard = Contexts.Standard();
        var context = standard with { Tasks = [standard.Tasks[0], standard.Tasks[0]] };

        await AssertInvalidAsync(await GenerateAsync(Contexts.Request(context: context)), "context.tasks");
    }

    [Fact]
    public async Task Rates_outside_0_to_1_are_rejected()
    {
        var context = Contexts.Standard() with { Signals = new UserSignals(1.5, 0, null, null, 3) };

        await AssertInvalidAsync(await GenerateAsync(Contexts.Request(context: context)), "context.signals.completion_rate30d");
    }

    [Fact]
    public async Task The_local_time_is_required()
    {
        var context = Contexts.Standard() with { LocalTime = default };

        await AssertInvalidAsync(await GenerateAsync(Contexts.Request(context: context)), "context.local_time");
    }

    [Fact]
    public async Task Malformed_json_is_400_naming_the_place()
    {
        var response = await Serving.CreateClient().PostAsync("/generate", new StringContent("""{"count":"three"}""", Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, ProblemTypes.BadRequest);
        Assert.Contains("$.count", problem.GetProperty("detail").GetString());
        Assert.Empty(Gateway.ChatRequests);
    }

    [Fact]
    public async Task A_context_without_tasks_is_fine()
    {
        var context = Contexts.Standard() with { Tasks = [] };

        var response = await Serving.CreateClient().PostAsJsonAsync("/generate", Contexts.Request(context: context), TipsJson.Options);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("(none:", Assert.Single(Gateway.ChatRequests).Messages[1].Content);
    }
}
