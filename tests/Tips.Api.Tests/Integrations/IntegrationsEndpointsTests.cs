using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tips.Api.Clients.Todoist;
using Tips.Api.Tests.Support;
using Tips.Contracts;
using Tips.ServiceDefaults;
using Tips.TestSupport.FakeTodoist;

namespace Tips.Api.Tests.Integrations;

public sealed class IntegrationsEndpointsTests : TodoistApiTest
{
    private const string Token = "0123456789abcdef0123456789abcdef01234567";

    [Fact]
    public async Task Without_a_token_Todoist_is_missing()
    {
        var status = await TodoistStatusAsync("ana");

        Assert.False(status.Connected);
        Assert.Equal(TokenStatus.Missing, status.TokenStatus);
        Assert.Null(status.CheckedAt);
    }

    [Fact]
    public async Task A_valid_token_is_201_valid_stored_encrypted_with_the_timezone()
    {
        Todoist.Account(Token).Timezone = "America/New_York";

        var response = await ConnectAsync("ana", Token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(Token, body);
        var stored = JsonSerializer.Deserialize<IntegrationStatus>(body, TipsJson.Options)!;
        Assert.Equal(new IntegrationStatus("todoist", true, TokenStatus.Valid, Api.Time.GetUtcNow()), stored);
        Assert.Equal(stored, await TodoistStatusAsync("ana"));

        var ciphertext = await ScalarAsync<string>("SELECT token_ciphertext FROM todoist_integrations WHERE user_id = $1", "ana");
        Assert.False(string.IsNullOrEmpty(ciphertext));
        Assert.DoesNotContain(Token, ciphertext);
        Assert.Equal("America/New_York", await ScalarAsync<string>("SELECT timezone FROM users WHERE id = $1", "ana"));
        Assert.Equal("Bearer " + Token, Assert.Single(Todoist.RequestsWith(Token)).Authorization);
    }

    [Fact]
    public async Task Replacing_a_token_is_200_and_forgets_the_tasks_read_with_the_old_one()
    {
        const string other = "fedcba9876543210fedcba9876543210fedcba98";
        Todoist.Account(Token);
        Todoist.Account(other).Tasks.Clear();
        await ConnectAsync("ana", Token);
        Assert.Equal(4, (await AssembleAsync("ana")).Tasks.Count);

        var response = await ConnectAsync("ana", other);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM task_snapshots WHERE user_id = $1", "ana"));
        Assert.Empty((await AssembleAsync("ana")).Tasks);
    }

    [Theory]
    [InlineData(FakeTodoistBehavior.Unauthorized)]
    [InlineData(FakeTodoistBehavior.Forbidden)]
    public async Task A_refused_token_is_422_and_nothing_is_stored(FakeTodoistBehavior behavior)
    {
        Todoist.Account(Token).Behavior = behavior;

        var response = await ConnectAsync("ana", Token);

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(ProblemTypes.TodoistTokenInvalid, problem.GetProperty("type").GetString());
        Assert.DoesNotContain(Token, problem.GetRawText());
        Assert.Equal(TokenStatus.Missing, (await TodoistStatusAsync("ana")).TokenStatus);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM todoist_integrations"));
    }

    [Fact]
    public async Task A_refused_token_leaves_the_stored_one_in_place()
    {
        Todoist.Account(Token);
        await ConnectAsync("ana", Token);

        var response = await ConnectAsync("ana", "not-a-token-todoist-knows");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(TokenStatus.Valid, (await TodoistStatusAsync("ana")).TokenStatus);
        Assert.Equal(4, (await AssembleAsync("ana")).Tasks.Count);
    }

    [Theory]
    [InlineData(FakeTodoistBehavior.ServerError)]
    [InlineData(FakeTodoistBehavior.RateLimited)]
    public async Task When_Todoist_cannot_answer_the_token_is_stored_as_unknown(FakeTodoistBehavior behavior)
    {
        Todoist.Account(Token).Behavior = behavior;

        var response = await ConnectAsync("ana", Token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var stored = (await response.Content.ReadFromJsonAsync<IntegrationStatus>(TipsJson.Options))!;
        Assert.Equal(new IntegrationStatus("todoist", true, TokenStatus.Unknown, null), stored);
        Assert.Equal(stored, await TodoistStatusAsync("ana"));
    }

    [Fact]
    public async Task When_Todoist_is_unreachable_the_token_is_stored_as_unknown()
    {
        Api.With(TodoistOptions.UrlVariable, "http://127.0.0.1:1/api/v1");

        var response = await ConnectAsync("ana", Token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(TokenStatus.Unknown, (await TodoistStatusAsync("ana")).TokenStatus);
    }

    [Fact]
    public async Task When_Todoist_is_too_slow_the_token_is_stored_as_unknown()
    {
        Todoist.Account(Token).Behavior = FakeTodoistBehavior.Slow;
        var client = Api.ClientFor("ana");

        var put = client.PutAsJsonAsync("/integrations/todoist", new { token = Token });
        await Todoist.WaitForRequestAsync(r => r.BearerToken == Token);
        // Past the request timeout (2.5 s by default) on the API's clock, however many attempts were made.
        for (var i = 0; i < 10 && !put.IsCompleted; i++)
        {
            Api.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(put, Task.Delay(100));
        }
        var response = await put;

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(TokenStatus.Unknown, (await TodoistStatusAsync("ana")).TokenStatus);
    }

    [Fact]
    public async Task Delete_is_204_forgets_the_token_and_its_tasks_and_may_be_repeated()
    {
        Todoist.Account(Token);
        await ConnectAsync("ana", Token);
        await AssembleAsync("ana");
        var client = Api.ClientFor("ana");

        var first = await client.DeleteAsync("/integrations/todoist");
        var second = await client.DeleteAsync("/integrations/todoist");

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, second.StatusCode);
        Assert.Equal(TokenStatus.Missing, (await TodoistStatusAsync("ana")).TokenStatus);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM task_snapshots"));
        Assert.Equal(Features.Context.TasksOrigin.NotConnected, (await AssembleAsync("ana")).Origin);
    }

    [Fact]
    public async Task One_persons_token_is_not_anothers()
    {
        Todoist.Account(Token);
        await ConnectAsync("ana", Token);

        await Api.ClientFor("bob").DeleteAsync("/integrations/todoist");

        Assert.Equal(TokenStatus.Valid, (await TodoistStatusAsync("ana")).TokenStatus);
        Assert.Equal(TokenStatus.Missing, (await TodoistStatusAsync("bob")).TokenStatus);
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { """{}""", "Give your Todoist API token" },
        { """{"token":""}""", "Give your Todoist API token" },
        { """{"token":"short"}""", "8 to 256 characters" },
        { $$"""{"token":"{{new string('a', 300)}}"}""", "8 to 256 characters" },
        { """{"token":"0123456789 abcdef"}""", "no spaces" },
        { """{"token":"0123456789abcdef\n"}""", "no spaces" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_token_is_400_naming_the_field_without_repeating_it(string json, string expected)
    {
        var response = await Api.ClientFor("ana").PutAsync("/integrations/todoist",
            new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(ProblemTypes.Validation, problem.GetProperty("type").GetString());
        var message = Assert.Single(problem.GetProperty("errors").GetProperty("token").EnumerateArray()).GetString();
        Assert.Contains(expected, message);
        Assert.DoesNotContain("0123456789", problem.GetRawText());
        Assert.Empty(Todoist.Requests);
    }

    [Fact]
    public async Task Put_and_delete_need_a_bearer_token()
    {
        var client = Api.CreateClient();

        var put = await client.PutAsJsonAsync("/integrations/todoist", new { token = Token });
        var delete = await client.DeleteAsync("/integrations/todoist");

        await put.AssertProblemAsync(HttpStatusCode.Unauthorized);
        await delete.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    private async Task<IntegrationStatus> TodoistStatusAsync(string user)
    {
        var response = await Api.ClientFor(user).GetFromJsonAsync<IntegrationsResponse>("/integrations", TipsJson.Options);
        return Assert.Single(response!.Integrations, i => i.Provider == "todoist");
    }
}
