using System.Text.Json;
using Tips.Api.Clients.Todoist;

namespace Tips.Api.Features.Context;

/// <summary>
/// One open task as kept in <c>task_snapshots.tasks</c>: the Todoist facts the context needs, normalized.
/// Whether it is overdue is not stored: that depends on when the snapshot is read.
/// </summary>
/// <param name="Due">Todoist's own <c>due.date</c> string, in any of its three forms.</param>
internal sealed record SnapshotTask(
    string Id,
    string Content,
    int Priority,
    string? Due,
    bool IsRecurring,
    IReadOnlyList<string> Labels,
    DateTimeOffset? AddedAt)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static SnapshotTask From(TodoistTask task) => new(
        task.Id!,
        task.Content ?? "",
        task.Priority is >= 1 and <= 4 ? task.Priority.Value : 1,
        string.IsNullOrWhiteSpace(task.Due?.Date) ? null : task.Due.Date,
        task.Due?.IsRecurring ?? false,
        [.. (task.Labels ?? []).OfType<string>()],
        task.AddedAt);

    public static string Serialize(IEnumerable<SnapshotTask> tasks) => JsonSerializer.Serialize(tasks, Json);

    /// <summary>The stored tasks; null when the column holds something unreadable.</summary>
    public static IReadOnlyList<SnapshotTask>? TryDeserialize(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<List<SnapshotTask>>(json, Json)?.Where(t => t is { Id.Length: > 0 }).ToList();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
