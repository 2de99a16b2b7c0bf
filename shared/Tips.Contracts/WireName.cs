using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json.Serialization;

namespace Tips.Contracts;

/// <summary>
/// The snake_case wire name of an enum value (the one JSON uses), for places that are not JSON:
/// database columns, metrics tags, log fields.
/// </summary>
public static class WireName
{
    public static string Of<TEnum>(TEnum value) where TEnum : struct, Enum => Names<TEnum>.ToWire[value];

    public static bool TryParse<TEnum>(string? wire, out TEnum value) where TEnum : struct, Enum =>
        Names<TEnum>.FromWire.TryGetValue(wire ?? "", out value);

    public static TEnum Parse<TEnum>(string wire) where TEnum : struct, Enum =>
        TryParse<TEnum>(wire, out var value)
            ? value
            : throw new FormatException($"'{wire}' is not a {typeof(TEnum).Name}; expected one of {string.Join(", ", All<TEnum>())}.");

    public static IReadOnlyList<string> All<TEnum>() where TEnum : struct, Enum => Names<TEnum>.Ordered;

    private static class Names<TEnum> where TEnum : struct, Enum
    {
        public static readonly FrozenDictionary<TEnum, string> ToWire = typeof(TEnum)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToFrozenDictionary(
                f => (TEnum)f.GetValue(null)!,
                f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name);

        public static readonly FrozenDictionary<string, TEnum> FromWire =
            ToWire.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

        public static readonly string[] Ordered = [.. Enum.GetValues<TEnum>().Select(v => ToWire[v])];
    }
}
