using Tips.Contracts;
using Tips.TestSupport.FakeGateway;

namespace Tips.Serving.Tests.Support;

/// <summary>A person's context as Tips.Api would send it, and tips that refer to its tasks.</summary>
public static class Contexts
{
    public const string OverdueUrgent = "6Xq3aRent";
    public const string OverdueLow = "6Xq3bPlants";
    public const string DueLaterUrgent = "6Xq3cReport";
    public const string NoDue = "6Xq3dBooks";

    /// <summary>Four tasks given deliberately out of order (the prompt must show the most pressing first).</summary>
    public static PromptContext Standard() => new(
        new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.FromHours(1)),
        "Europe/Madrid",
        new UserSignals(0.4, 0.1, 45_000, 9, 12),
        [
            new PromptTask(NoDue, "Sort the bookshelf", 1, null, false, 0, []),
            new PromptTask(DueLaterUrgent, "Send the quarterly report to Marta", 4, "2026-03-05", false, 0, ["work"]),
            new PromptTask(OverdueLow, "Water the plants", 1, "2026-03-01", true, 1, ["home"]),
            new PromptTask(OverdueUrgent, "Pay the rent for March", 4, "2026-02-28", true, 2, ["home", "money"]),
        ]);

    public static GenerateRequest Request(int count = 3, PromptContext? context = null) => new(context ?? Standard(), count);

    /// <summary>Three valid tips for <see cref="Standard"/>, two of them about its tasks.</summary>
    public static FakeTip[] ThreeTips() =>
    [
        new("Pay the rent for March before lunch.", "task", "It is two days overdue and urgent.", OverdueUrgent, 0.92),
        new("Block 30 minutes now for the quarterly report.", "task", "It is urgent and due on Thursday.", DueLaterUrgent, 0.7),
        new("You finish most tasks around 9:00; start the hardest one first tomorrow.", "insight", "From your last 30 days."),
    ];

    public static string ThreeTipsJson() => FakeTip.Json(ThreeTips());
}
