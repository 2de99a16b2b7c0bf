namespace Tips.Api.Features.Context;

/// <summary>IANA zone names (as Todoist gives them) to <see cref="TimeZoneInfo"/>; UTC when unknown.</summary>
internal static class TimeZones
{
    public static TimeZoneInfo? TryFind(string? id)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 64)
        {
            return null;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;
    }

    /// <summary>The zone named <paramref name="id"/>, or UTC when it is missing or unknown.</summary>
    public static TimeZoneInfo OrUtc(string? id) => TryFind(id) ?? TimeZoneInfo.Utc;
}
