using System.Net;
using System.Net.Http.Json;
using Tips.Contracts;

namespace Tips.Api.Tests.Observability;

/// <summary>Feedback is counted by action and result, and the reward of what was newly recorded is summed per action.</summary>
public sealed class FeedbackMetricsTests : MetricsTest
{
    private async Task<IReadOnlyList<Tip>> ServeAsync(int limit) =>
        (await (await GetTipsAsync("ana", $"?limit={limit}")).Content.ReadFromJsonAsync<TipsResponse>(TipsJson.Options))!.Tips;

    private async Task<HttpStatusCode> PostAsync(Guid tip, string action, long? dwellMs = null) =>
        (await Api.ClientFor("ana").PostAsJsonAsync($"/tips/{tip}/feedback", new { action, dwell_ms = dwellMs })).StatusCode;

    [Fact]
    public async Task Feedback_counts_by_action_and_result_and_the_mean_reward_per_action_is_readable()
    {
        var tips = await ServeAsync(limit: 3);
        var before = await ScrapeAsync();

        Assert.Equal(HttpStatusCode.OK, await PostAsync(tips[0].Id, "done", 30_000));    // +1.0
        Assert.Equal(HttpStatusCode.OK, await PostAsync(tips[0].Id, "done", 30_000));    // repeated: nothing new
        Assert.Equal(HttpStatusCode.OK, await PostAsync(tips[1].Id, "done", 5_000));     // -0.3
        Assert.Equal(HttpStatusCode.OK, await PostAsync(tips[2].Id, "dismiss"));         // -1.0
        Assert.Equal(HttpStatusCode.NotFound, await PostAsync(Guid.CreateVersion7(), "snooze"));
        var after = await ScrapeAsync();

        AssertMoved(2, before, after, "tips_feedback_received_total", "tips_feedback_action=done", "tips_feedback_result=recorded");
        AssertMoved(1, before, after, "tips_feedback_received_total", "tips_feedback_action=done", "tips_feedback_result=repeated");
        AssertMoved(1, before, after, "tips_feedback_received_total", "tips_feedback_action=dismiss", "tips_feedback_result=recorded");
        AssertMoved(1, before, after, "tips_feedback_received_total", "tips_feedback_action=snooze", "tips_feedback_result=unknown_tip");
        AssertMoved(2, before, after, "tips_feedback_reward_count", "tips_feedback_action=done");
        AssertMoved(0.7, before, after, "tips_feedback_reward_sum", "tips_feedback_action=done");
        AssertMoved(1, before, after, "tips_feedback_reward_count", "tips_feedback_action=dismiss");
        AssertMoved(-1, before, after, "tips_feedback_reward_sum", "tips_feedback_action=dismiss");
        AssertMoved(0, before, after, "tips_feedback_reward_count", "tips_feedback_action=snooze");
        await AssertRequestsMovedAsync(5, before, "http_server_request_duration_seconds_count", "http_route=/tips/{id}/feedback");
    }
}
