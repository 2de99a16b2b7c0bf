using System.Text.Json.Serialization;

namespace Tips.Contracts;

/// <summary>What a tip asks of the person.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TipKind>))]
public enum TipKind
{
    [JsonStringEnumMemberName("task")] Task,
    [JsonStringEnumMemberName("advice")] Advice,
    [JsonStringEnumMemberName("insight")] Insight,
    [JsonStringEnumMemberName("reminder")] Reminder,
}

/// <summary>Where a candidate tip came from.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TipSource>))]
public enum TipSource
{
    [JsonStringEnumMemberName("llm")] Llm,
    [JsonStringEnumMemberName("task_direct")] TaskDirect,
    [JsonStringEnumMemberName("fallback")] Fallback,
}

/// <summary>What a person did with a served tip.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FeedbackAction>))]
public enum FeedbackAction
{
    [JsonStringEnumMemberName("done")] Done,
    [JsonStringEnumMemberName("dismiss")] Dismiss,
    [JsonStringEnumMemberName("snooze")] Snooze,
    [JsonStringEnumMemberName("helpful")] Helpful,
    [JsonStringEnumMemberName("not_helpful")] NotHelpful,
}

/// <summary>What the last check of a stored Todoist token said.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TokenStatus>))]
public enum TokenStatus
{
    [JsonStringEnumMemberName("valid")] Valid,
    [JsonStringEnumMemberName("invalid")] Invalid,
    [JsonStringEnumMemberName("missing")] Missing,
    [JsonStringEnumMemberName("unknown")] Unknown,
}
