using System.Globalization;
using System.Text;
using Tips.Api.Features.Context;
using Tips.Contracts;

namespace Tips.Benchmarks;

/// <summary>
/// Deterministic inputs shaped like production data: a fixed clock, a fixed zone and fixed seeds, so that every run
/// measures the same work.
/// </summary>
internal static class SampleData
{
    /// <summary>A Wednesday, 08:30 in Madrid.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 7, 30, 0, TimeSpan.Zero);

    public static TimeZoneInfo Zone { get; } = TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid");

    private static readonly string[] Verbs =
        ["Call", "Email", "Review", "Draft", "Fix", "Book", "Pay", "Plan", "Write", "Clean", "Prepare", "Renew", "Order"];

    private static readonly string[] Things =
    [
        "the dentist about the crown", "Ana about the Q4 budget", "the pull request for the billing export",
        "slides for Monday's all-hands", "the leaking kitchen tap", "flights to Lisbon", "the electricity bill",
        "the team offsite agenda", "the onboarding guide for new hires", "the garage before winter",
        "questions for the landlord", "the car insurance", "printer toner and paper", "notes from the design review",
        "the tax return documents", "a birthday gift for Marta", "the API deprecation notice", "the gym membership",
    ];

    private static readonly string[] Details =
    [
        "", "", "", " before Friday", " — ask about the invoice", " (see the thread from last week)", " 📞",
        " for the café opening", ", then update the tracker",
    ];

    private static readonly string[] LabelPool = ["work", "home", "errands", "deep-work", "calls", "finance", "health", "waiting"];

    private const string IdAlphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    /// <summary>
    /// Open tasks as Todoist API v1 returns them, normalized: a third undated, the rest due on a day, at a floating
    /// wall-clock time or at a fixed UTC moment, from 40 days ago to a month ahead; a few with very long content.
    /// </summary>
    public static List<SnapshotTask> Tasks(int count, int seed = 42)
    {
        var random = new Random(seed);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Now, Zone).DateTime);
        var tasks = new List<SnapshotTask>(count);
        for (var i = 0; i < count; i++)
        {
            var content = $"{Pick(random, Verbs)} {Pick(random, Things)}{Pick(random, Details)}";
            if (random.NextDouble() < 0.03)
            {
                // Pasted notes: long enough to be cut at 500 text elements.
                content += " " + string.Concat(Enumerable.Repeat("Context pasted from the email thread, with every reply quoted. ", 10));
            }

            var day = today.AddDays(random.Next(-40, 31));
            var due = random.NextDouble() switch
            {
                < 0.35 => null,
                < 0.65 => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                < 0.85 => day.ToDateTime(new TimeOnly(random.Next(7, 21), 30 * random.Next(2)))
                    .ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
                _ => day.ToDateTime(new TimeOnly(random.Next(6, 20), 15 * random.Next(4)))
                    .ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            };

            var priority = random.NextDouble() switch { < 0.55 => 1, < 0.75 => 2, < 0.90 => 3, _ => 4 };
            var labels = Enumerable.Range(0, random.Next(4)).Select(_ => Pick(random, LabelPool)).Distinct().ToList();
            tasks.Add(new SnapshotTask(
                TodoistId(random),
                content,
                priority,
                due,
                due is not null && random.NextDouble() < 0.10,
                labels,
                Now.AddMinutes(-random.Next(0, 240 * 24 * 60))));
        }
        return tasks;
    }

    /// <summary>
    /// A model's answer as the prompt asks for it, pretty-printed the way models write it: <c>{"tips":[…]}</c> with
    /// <paramref name="count"/> distinct tips, task tips naming one of <paramref name="taskIds"/>.
    /// </summary>
    /// <param name="trailingCommas">Adds what the lenient parse accepts: a comment per tip and trailing commas.</param>
    public static string TipsJson(int count, IReadOnlyList<string> taskIds, bool trailingCommas = false)
    {
        string[] openers = ["Start by", "Spend ten minutes", "Before lunch, try", "Right now, consider", "Block time for", "Today, focus on", "Take a moment for"];
        string[] actions =
        [
            "clearing the oldest overdue item on your list", "writing the first sentence of the report",
            "replying to the two messages you have been avoiding", "breaking the project into three small steps",
            "closing every tab you do not need", "checking which deadline is really fixed",
            "asking for help with the blocked task", "moving low-value tasks to next week",
            "finishing the “quick” task you started yesterday", "reviewing what you finished this week",
            "preparing tomorrow's first task tonight",
        ];
        string[] closers =
        [
            "so the rest of the day feels lighter.", "while your energy is high.", "before new requests arrive.",
            "and note what got in the way.", "— small wins build momentum.", "with a 25-minute timer.",
            "so nothing slips past Friday.", "and enjoy a short break after.", "to make room for deep work.",
            "before the afternoon meetings.", "so you can say no with confidence.", "and tick it off in Todoist.",
            "to keep the list trustworthy.",
        ];
        string[] kinds = ["task", "advice", "insight", "reminder"];

        var json = new StringBuilder(count * 400);
        json.Append("{\n  \"tips\": [\n");
        for (var i = 0; i < count; i++)
        {
            var kind = kinds[i % kinds.Length];
            json.Append("    {\n");
            if (trailingCommas)
            {
                json.Append(CultureInfo.InvariantCulture, $"      // tip {i + 1}: {kind}\n");
            }
            // 7 × 11 × 13 combinations: every content up to 1001 tips is distinct.
            json.Append(CultureInfo.InvariantCulture,
                $"      \"content\": \"{openers[i % openers.Length]} {actions[i % actions.Length]} {closers[i % closers.Length]}\",\n");
            json.Append("      \"kind\": \"").Append(kind).Append("\",\n");
            json.Append(CultureInfo.InvariantCulture,
                $"      \"rationale\": \"You have {3 + i % 9} overdue tasks and your \\\"done\\\" rate is highest before noon; this keeps the next step concrete.\",\n");
            if (kind == "task")
            {
                json.Append("      \"task_id\": \"").Append(taskIds[i % taskIds.Count]).Append("\",\n");
            }
            json.Append(CultureInfo.InvariantCulture, $"      \"confidence\": {0.5 + i % 50 / 100.0:0.00}");
            json.Append(trailingCommas ? ",\n" : "\n");
            json.Append(i < count - 1 || trailingCommas ? "    },\n" : "    }\n");
        }
        json.Append("  ]\n}");
        return json.ToString();
    }

    private static string TodoistId(Random random) =>
        string.Create(16, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = IdAlphabet[r.Next(IdAlphabet.Length)];
            }
        });

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];
}
