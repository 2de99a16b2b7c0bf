using System.Globalization;
using System.Text.Json.Nodes;
using Tips.TestSupport.FakeTodoist;

namespace Tips.Bench.Seeding;

/// <summary>
/// A plausible Todoist account: 20–60 open tasks in the reference shape, about a fifth overdue, a quarter due today
/// (some at a time), a quarter due later and the rest undated; priorities mostly normal; a few labels and recurrences.
/// </summary>
internal static class TodoistTasks
{
    private static readonly string[] Contents =
    [
        "Reply to the landlord about the lease", "Finish the quarterly report", "Book a dentist appointment",
        "Review the pull request from Ana", "Pay the electricity bill", "Call mum", "Buy groceries for the week",
        "Prepare slides for Monday's meeting", "Renew the passport", "Fix the leaking kitchen tap",
        "Write the blog post draft", "Send the invoice to the client", "Plan the team offsite", "Update the CV",
        "Clean up the shared drive", "Schedule the car service", "Read chapter 4 of the book club novel",
        "Order a birthday present for Leo", "Back up the laptop", "File the expense report",
        "Cancel the unused streaming subscription", "Go for a 30-minute run", "Water the plants",
        "Sort out the tax documents", "Answer the recruiter's email", "Refill the prescription",
        "Prepare the one-on-one agenda", "Research flights for the summer", "Return the library books",
        "Set up the new monitor",
    ];

    private static readonly string[] Labels = ["work", "home", "errands", "deep-work", "calls", "health"];

    private static readonly string[] Timezones = ["Europe/Madrid", "Europe/London", "America/New_York", "America/Los_Angeles", "Asia/Tokyo", "UTC"];

    public static string TimezoneFor(Random random) => Timezones[random.Next(Timezones.Length)];

    public static List<JsonObject> For(Random random, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var count = random.Next(20, 61);
        var tasks = new List<JsonObject>(count);
        for (var i = 0; i < count; i++)
        {
            var roll = random.NextDouble();
            string? due = roll switch
            {
                < 0.20 => Date(today.AddDays(-random.Next(1, 22))),
                < 0.35 => Date(today),
                < 0.45 => $"{Date(today)}T{random.Next(8, 20):00}:{(random.Next(4) * 15):00}:00",
                < 0.70 => Date(today.AddDays(random.Next(1, 31))),
                _ => null,
            };
            var priority = random.NextDouble() switch { < 0.5 => 1, < 0.75 => 2, < 0.9 => 3, _ => 4 };
            var labels = Enumerable.Range(0, random.Next(0, 3)).Select(_ => Labels[random.Next(Labels.Length)]).Distinct().ToArray();
            var recurring = due is not null && random.NextDouble() < 0.05;
            var content = Contents[random.Next(Contents.Length)];
            tasks.Add(FakeTodoistData.Task(TaskId(random), content, due, priority, recurring, labels));
        }
        return tasks;
    }

    private static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Todoist v1 ids: 16 characters of letters and digits.</summary>
    private static string TaskId(Random random)
    {
        const string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        return string.Create(16, random, static (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[r.Next(alphabet.Length)];
            }
        });
    }
}
