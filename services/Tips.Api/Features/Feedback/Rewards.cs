using Tips.Contracts;

namespace Tips.Api.Features.Feedback;

/// <summary>The reward of a feedback post (design.md "Rewards"), in thousandths so it is stored exactly.</summary>
public static class Rewards
{
    /// <summary>
    /// "Done" is judged by how long the person looked at the tip first: a snap "done" (&lt; 15 s) is likely a
    /// reflex dismissal, a considered one (15 s – 2 min) is the best outcome, and long dwells count less.
    /// </summary>
    public static int InferMilli(FeedbackAction action, long? dwellMs) => action switch
    {
        FeedbackAction.Done => dwellMs switch
        {
            null => 600,
            < 15_000 => -300,
            <= 120_000 => 1_000,
            <= 600_000 => 600,
            _ => 300,
        },
        FeedbackAction.Snooze => 100,
        FeedbackAction.Dismiss => -1_000,
        FeedbackAction.Helpful => 500,
        FeedbackAction.NotHelpful => -500,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "Unknown feedback action."),
    };

    public static double Infer(FeedbackAction action, long? dwellMs) => InferMilli(action, dwellMs) / 1000.0;
}
