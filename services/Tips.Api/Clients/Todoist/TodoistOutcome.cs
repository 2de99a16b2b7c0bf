using System.Diagnostics.CodeAnalysis;

namespace Tips.Api.Clients.Todoist;

internal enum TodoistFailureKind
{
    /// <summary>401 or 403: the token is wrong or revoked. Asking again will not help.</summary>
    InvalidToken,

    /// <summary>429: Todoist asked us to wait <see cref="TodoistFailure.RetryAfter"/>.</summary>
    RateLimited,

    /// <summary>5xx, timeout, connection failure or an unreadable answer, after the bounded retries.</summary>
    Unavailable,
}

/// <summary>Why a Todoist call gave no answer. <see cref="Reason"/> is short and never holds a token or a body.</summary>
internal sealed record TodoistFailure(TodoistFailureKind Kind, string Reason, TimeSpan? RetryAfter = null);

/// <summary>A Todoist answer, or why there is none.</summary>
internal sealed record TodoistOutcome<T>(T? Value, TodoistFailure? Failure) where T : class
{
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Failure is null && Value is not null;

    public static TodoistOutcome<T> Ok(T value) => new(value, null);

    public static TodoistOutcome<T> Failed(TodoistFailure failure) => new(null, failure);
}

/// <summary>What <c>GET /user</c> tells about the token's owner.</summary>
/// <param name="Timezone">IANA zone from <c>tz_info.timezone</c>, when Todoist gave one.</param>
internal sealed record TodoistAccount(string? Timezone);
