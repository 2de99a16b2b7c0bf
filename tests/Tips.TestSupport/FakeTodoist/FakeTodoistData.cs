using System.Text.Json.Nodes;

namespace Tips.TestSupport.FakeTodoist;

/// <summary>The reference Todoist v1 payloads, and tasks made in their exact shape.</summary>
public static class FakeTodoistData
{
    /// <summary>The reference user: <c>tz_info.timezone</c> Europe/Madrid, and a <c>token</c> field (the real API echoes it).</summary>
    public static JsonObject User() => Load("todoist-v1-user.json");

    /// <summary>The reference 429 body (<c>error_extra.retry_after</c> 66).</summary>
    public static JsonObject RateLimitError() => Load("todoist-v1-error-429.json");

    /// <summary>The four reference tasks, pages 1 and 2 in order: recurring floating due, all-day due, fixed UTC due, no due.</summary>
    public static List<JsonObject> ReferenceTasks() =>
    [
        .. Load("todoist-v1-tasks-page1.json")["results"]!.AsArray().Select(t => t!.DeepClone().AsObject()),
        .. Load("todoist-v1-tasks-page2.json")["results"]!.AsArray().Select(t => t!.DeepClone().AsObject()),
    ];

    /// <summary>
    /// A task in the reference shape. <paramref name="due"/> is Todoist's <c>due.date</c> in any of its forms
    /// (<c>2026-03-02</c>, <c>2026-03-02T09:00:00</c>, <c>2026-03-02T09:00:00Z</c>) or null for no due date.
    /// </summary>
    public static JsonObject Task(string id, string content, string? due = null, int priority = 1, bool recurring = false,
        params string[] labels)
    {
        var task = Load("todoist-v1-tasks-page1.json")["results"]![1]!.DeepClone().AsObject();
        task["id"] = id;
        task["content"] = content;
        task["priority"] = priority;
        task["labels"] = new JsonArray([.. labels.Select(l => (JsonNode)JsonValue.Create(l))]);
        task["due"] = due is null
            ? null
            : new JsonObject
            {
                ["date"] = due,
                ["timezone"] = due.EndsWith('Z') ? "Europe/Madrid" : null,
                ["string"] = recurring ? "every day" : due,
                ["lang"] = "en",
                ["is_recurring"] = recurring,
            };
        return task;
    }

    /// <summary>An error body in Todoist's shape.</summary>
    public static JsonObject Error(int status, string message, string tag, JsonObject? extra = null) => new()
    {
        ["error"] = message,
        ["error_code"] = status switch { 401 => 401, 403 => 403, 400 => 20, _ => 0 },
        ["error_extra"] = extra ?? new JsonObject(),
        ["error_tag"] = tag,
        ["http_code"] = status,
    };

    private static JsonObject Load(string name)
    {
        using var stream = typeof(FakeTodoistData).Assembly.GetManifestResourceStream($"FakeTodoist.{name}")
            ?? throw new InvalidOperationException($"Embedded resource FakeTodoist.{name} is missing.");
        return JsonNode.Parse(stream)!.AsObject();
    }
}
