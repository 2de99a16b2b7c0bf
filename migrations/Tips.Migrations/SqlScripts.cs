namespace Tips.Migrations;

/// <summary>SQL that migrations run verbatim (roles, grants, views), kept as readable .sql files beside them.</summary>
internal static class SqlScripts
{
    public static string Load(string name)
    {
        var resource = $"{typeof(SqlScripts).Namespace}.Sql.{name}";
        using var stream = typeof(SqlScripts).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded SQL script '{resource}' is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
