using Tips.TestSupport.FakeGateway;

namespace Tips.Bench.Seeding;

/// <summary>What the fake gateway answers: a valid <c>{"tips":[…]}</c> of the size Tips.Api asks for, mixed kinds.</summary>
internal static class LlmReplies
{
    public static FakeGatewayReply Default { get; } = FakeGatewayReply.Tips(
        new FakeTip("Block 25 minutes for the most overdue task before you open your inbox.", "advice", "Overdue work weighs most in the morning."),
        new FakeTip("You finish more when you start with something small: pick a two-minute task now.", "insight", "Momentum from a quick win."),
        new FakeTip("Your afternoon is free: move one of today's calls there.", "advice", "Keeps the morning for focused work."),
        new FakeTip("Remember to review tomorrow's priorities before you stop today.", "reminder", "A short plan makes mornings easier."),
        new FakeTip("Tasks without a due date pile up: give the oldest one a date or drop it.", "insight", "Undated tasks are rarely done."));
}
