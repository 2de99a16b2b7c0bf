using System.Net.Http.Json;
using System.Text.Json;
using Tips.Api.Tests.Integrations;
using Tips.Api.Tests.Support;
using Tips.Contracts;
using Tips.TestSupport.Serving;

namespace Tips.Api.Tests.Recommender;

/// <summary>
/// The three stages end to end with a connected Todoist (the reference tasks: "Send Q1 report" overdue since
/// 09:00 today and urgent, "Renew passport" two days overdue, "Call the dentist" tomorrow, "Read the onboarding
/// doc" undated) and a fake Tips.Serving. The API's clock is 2026-03-02T10:00Z, 11:00 in Madrid.
/// </summary>
public sealed class GetTipsWithTasksTests : TodoistApiTest
{
    private const string Token = "tasks-token-0123456789abcdef";
    private FakeServing _serving = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _serving = await FakeServing.StartAsync();
        Api.WithServing(_serving);
        Todoist.Account(Token);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _serving.DisposeAsync();
    }

    private async Task<TipsResponse> GetTipsAsync(int limit)
    {
        (await ConnectAsync("ana", Token)).EnsureSuccessStatusCode();
        return (await Api.ClientFor("ana").GetFromJsonAsync<TipsResponse>($"/tips?limit={limit}", TipsJson.Options))!;
    }

    [Fact]
    public async Task The_llm_is_asked_with_the_persons_sorted_tasks_in_their_timezone()
    {
        await GetTipsAsync(1);

        var context = Assert.Single(_serving.Requests).Context!;
        Assert.Equal("Europe/Madrid", context.Timezone);
        Assert.Equal(TimeSpan.FromHours(1), context.LocalTime.Offset);
        Assert.Equal(["Send Q1 report", "Renew passport", "Call the dentist", "Read the onboarding doc"], context.Tasks.Select(t => t.Content));
    }

    [Fact]
    public async Task Task_tips_link_to_their_task_and_log_the_tasks_features()
    {
        _serving.Always(_ => FakeServingReply.Problem(503, "urn:tips:problem:llm-gateway-unavailable"));

        var tips = await GetTipsAsync(2);

        // Only the two overdue tasks make task-direct tips; with no LLM the pool is exactly those two.
        Assert.Equal(["6XGgmFQrx44wfGHv", "6XGgmFVcrG5RRjVr"], tips.Tips.Select(t => t.TaskId).Order());
        Assert.All(tips.Tips, t =>
        {
            Assert.Equal(TipSource.TaskDirect, t.Source);
            Assert.Equal($"https://app.todoist.com/app/task/{t.TaskId}", t.TaskUrl);
        });

        var rows = await TipsDb.ScoresAsync(Api.ConnectionString);
        var passport = rows.Single(r => r.TaskId == "6XGgmFQrx44wfGHv");
        var x = JsonDocument.Parse(passport.Features).RootElement.GetProperty("x");
        Assert.Equal(1, x.GetProperty("is_overdue").GetDouble());
        Assert.Equal(2 / 30.0, x.GetProperty("due_age").GetDouble(), 5);
        Assert.Equal(0, x.GetProperty("priority").GetDouble());
        Assert.Equal(1, x.GetProperty("kind_task").GetDouble());
        Assert.Equal(2, passport.CandidateCount);
        Assert.Null(passport.LlmModel);
    }

    [Fact]
    public async Task An_llm_tip_about_a_task_carries_the_tasks_link_and_one_answer_never_holds_a_task_twice()
    {
        var tips = await GetTipsAsync(5);

        // The pool: two generic LLM tips, one LLM tip about "Send Q1 report", and two task-direct tips.
        Assert.Equal(4, tips.Tips.Count);
        var withTask = tips.Tips.Where(t => t.TaskId is not null).ToList();
        Assert.Equal(withTask.Count, withTask.Select(t => t.TaskId).Distinct().Count());
        Assert.All(withTask, t => Assert.Equal($"https://app.todoist.com/app/task/{t.TaskId}", t.TaskUrl));
        var rows = await TipsDb.ScoresAsync(Api.ConnectionString);
        Assert.All(rows.Where(r => r.TipSource == TipSource.Llm), r => Assert.Equal("tips-v1", r.PromptVersion));
        Assert.All(rows.Where(r => r.TipSource != TipSource.Llm), r => Assert.Null(r.PromptVersion));
        Assert.All(rows, r => Assert.Equal(5, r.CandidateCount));
    }

    [Fact]
    public async Task A_task_marked_done_here_is_not_suggested_again_while_todoist_still_lists_it()
    {
        _serving.Always(_ => FakeServingReply.Problem(503, "urn:tips:problem:llm-gateway-unavailable"));
        var first = await GetTipsAsync(2);
        var passport = first.Tips.Single(t => t.TaskId == "6XGgmFQrx44wfGHv");
        (await Api.ClientFor("ana").PostAsJsonAsync($"/tips/{passport.Id}/feedback", new { action = "done", dwell_ms = 30_000 }))
            .EnsureSuccessStatusCode();
        Api.Time.Advance(TimeSpan.FromMinutes(5));

        var later = (await Api.ClientFor("ana").GetFromJsonAsync<TipsResponse>("/tips?limit=5", TipsJson.Options))!;

        Assert.DoesNotContain(later.Tips, t => t.TaskId == "6XGgmFQrx44wfGHv");
        Assert.Contains(later.Tips, t => t.TaskId == "6XGgmFVcrG5RRjVr");
    }
}
