using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Tips.Contracts;

namespace Tips.Api.Data;

/// <summary>Stores an enum as its wire name (<c>task_direct</c>), so analysts read the same words as the API.</summary>
public sealed class WireEnumConverter<TEnum>() : ValueConverter<TEnum, string>(
    v => WireName.Of(v),
    s => WireName.Parse<TEnum>(s))
    where TEnum : struct, Enum
{
    /// <summary>A SQL check that only wire names are stored in <paramref name="column"/>.</summary>
    public static string CheckSql(string column) =>
        $"{column} IN ({string.Join(", ", WireName.All<TEnum>().Select(n => $"'{n}'"))})";
}
