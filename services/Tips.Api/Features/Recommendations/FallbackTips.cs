using Tips.Contracts;

namespace Tips.Api.Features.Recommendations;

/// <summary>
/// Curated tips for when neither the tasks nor the LLM give anything (no Todoist, gateway down): varied in kind,
/// each useful on its own, so the bandit can learn which of them people like.
/// </summary>
internal static class FallbackTips
{
    public static IReadOnlyList<TipCandidate> All { get; } =
    [
        Tip("two-minute-rule", TipKind.Advice, "Pick one thing that takes under two minutes and do it now.",
            "Small wins start momentum; two-minute tasks cost more to track than to do."),
        Tip("write-top-three", TipKind.Advice, "Write down the three things that would make today a good day.",
            "A short, explicit list makes the next choice easy."),
        Tip("single-tab", TipKind.Advice, "Close every tab and window you do not need for the next 25 minutes.",
            "Fewer visible distractions make focus cheaper."),
        Tip("timebox-25", TipKind.Advice, "Set a 25-minute timer and work on one task until it rings.",
            "A fixed, short block lowers the cost of starting."),
        Tip("first-step", TipKind.Advice, "Take the task you keep postponing and write its very first physical step.",
            "Vague tasks are postponed; concrete first steps get done."),
        Tip("inbox-sweep", TipKind.Task, "Spend ten minutes turning loose notes and emails into tasks or trash.",
            "Unsorted inputs keep nagging; sorting them frees attention."),
        Tip("plan-tomorrow", TipKind.Reminder, "Before you stop today, choose tomorrow's first task.",
            "Deciding the evening before removes the morning's hardest choice."),
        Tip("stand-and-stretch", TipKind.Reminder, "Stand up, stretch and drink a glass of water.",
            "A short break restores attention better than pushing through."),
        Tip("weekly-review", TipKind.Reminder, "Block 30 minutes this week to review your open tasks and projects.",
            "A regular review keeps the list trustworthy, so it can be followed."),
        Tip("energy-match", TipKind.Insight, "Do demanding work when your energy is highest, and admin when it dips.",
            "Matching task to energy gets more done for the same effort."),
        Tip("done-list", TipKind.Insight, "Note what you finished today: progress you can see keeps you going.",
            "Recorded progress is one of the strongest day-to-day motivators."),
        Tip("say-no", TipKind.Insight, "Every yes is a no to something else: check one new commitment against your priorities.",
            "Protecting time for what matters means declining some requests."),
        Tip("batch-messages", TipKind.Advice, "Answer messages in one batch instead of as they arrive.",
            "Each switch costs minutes of refocusing; batching pays it once."),
        Tip("clear-desk", TipKind.Task, "Clear your desk of everything not needed for the current task.",
            "A clear space signals one job at a time."),
    ];

    private static TipCandidate Tip(string slug, TipKind kind, string content, string rationale) =>
        new($"fallback:{slug}", content, kind, TipSource.Fallback, rationale);
}
