using Tips.Api.Features.Feedback;
using Tips.Contracts;

namespace Tips.Api.Tests.Recommender;

public sealed class RewardsTests
{
    [Theory]
    [InlineData(FeedbackAction.Done, null, 0.6)]
    [InlineData(FeedbackAction.Done, 0L, -0.3)]
    [InlineData(FeedbackAction.Done, 14_999L, -0.3)]
    [InlineData(FeedbackAction.Done, 15_000L, 1.0)]
    [InlineData(FeedbackAction.Done, 60_000L, 1.0)]
    [InlineData(FeedbackAction.Done, 120_000L, 1.0)]
    [InlineData(FeedbackAction.Done, 120_001L, 0.6)]
    [InlineData(FeedbackAction.Done, 600_000L, 0.6)]
    [InlineData(FeedbackAction.Done, 600_001L, 0.3)]
    [InlineData(FeedbackAction.Done, 86_400_000L, 0.3)]
    [InlineData(FeedbackAction.Snooze, null, 0.1)]
    [InlineData(FeedbackAction.Snooze, 500_000L, 0.1)]
    [InlineData(FeedbackAction.Dismiss, null, -1.0)]
    [InlineData(FeedbackAction.Dismiss, 20_000L, -1.0)]
    [InlineData(FeedbackAction.Helpful, null, 0.5)]
    [InlineData(FeedbackAction.Helpful, 1_000L, 0.5)]
    [InlineData(FeedbackAction.NotHelpful, null, -0.5)]
    [InlineData(FeedbackAction.NotHelpful, 90_000L, -0.5)]
    public void Reward_follows_the_design_table(FeedbackAction action, long? dwellMs, double expected)
    {
        Assert.Equal(expected, Rewards.Infer(action, dwellMs), 9);
        Assert.Equal((int)Math.Round(expected * 1000), Rewards.InferMilli(action, dwellMs));
    }
}
