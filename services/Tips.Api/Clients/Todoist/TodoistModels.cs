using System.Text.Json.Serialization;

namespace Tips.Api.Clients.Todoist;

// Todoist's wire shapes (snake_case), read tolerantly: every field may be missing or null, unknown fields are
// ignored, and ids or timestamps in an unexpected form become null instead of failing the whole page.

/// <summary>A cursor-paged list: <c>{"results":[…],"next_cursor":"…"|null}</c>.</summary>
internal sealed record TodoistPage<T>(IReadOnlyList<T>? Results, string? NextCursor);

/// <summary>An active task. <see cref="Priority"/> is 1..4 where 4 is urgent (the UI's p1).</summary>
internal sealed record TodoistTask(
    [property: JsonConverter(typeof(LenientStringConverter))] string? Id,
    string? Content,
    [property: JsonConverter(typeof(LenientIntConverter))] int? Priority,
    TodoistDue? Due,
    TodoistDeadline? Deadline,
    TodoistDuration? Duration,
    IReadOnlyList<string?>? Labels,
    [property: JsonConverter(typeof(LenientTimestampConverter))] DateTimeOffset? AddedAt,
    bool? Checked,
    bool? IsDeleted);

/// <summary>
/// When a task is due. <see cref="Date"/> has three forms: <c>YYYY-MM-DD</c> (all day),
/// <c>YYYY-MM-DDTHH:MM:SS</c> (floating: the user's wall clock) and <c>…Z</c> (fixed, UTC).
/// </summary>
internal sealed record TodoistDue(string? Date, string? Timezone, string? String, bool? IsRecurring);

internal sealed record TodoistDeadline(string? Date);

internal sealed record TodoistDuration([property: JsonConverter(typeof(LenientIntConverter))] int? Amount, string? Unit);

/// <summary>
/// The account. The real body also echoes the API token: it is deliberately not mapped, and response bodies are
/// never logged.
/// </summary>
internal sealed record TodoistUser([property: JsonConverter(typeof(LenientStringConverter))] string? Id, TodoistTimezoneInfo? TzInfo);

internal sealed record TodoistTimezoneInfo(string? Timezone);

/// <summary>Todoist's error body: <c>{"error","error_code","error_extra":{"retry_after",…},"error_tag","http_code"}</c>.</summary>
internal sealed record TodoistError(string? Error, string? ErrorTag, TodoistErrorExtra? ErrorExtra);

internal sealed record TodoistErrorExtra([property: JsonConverter(typeof(LenientIntConverter))] int? RetryAfter);
