namespace Tips.TestSupport.Telemetry;

/// <summary>The metrics table of docs/operations.md ("What each metric means"), as tests hold the services to it.</summary>
public static class OperationsGuide
{
    /// <param name="Name">The Prometheus family name, e.g. <c>tips_recommender_served_total</c>.</param>
    /// <param name="Service"><c>api</c>, <c>serving</c> or <c>both</c>.</param>
    public sealed record DocumentedMetric(string Name, string Service, string Type);

    public static IReadOnlyList<DocumentedMetric> Metrics()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "docs", "operations.md"));
        var start = Array.FindIndex(lines, l => l.StartsWith("### What each metric means", StringComparison.Ordinal));
        if (start < 0)
        {
            throw new InvalidOperationException("docs/operations.md has no 'What each metric means' section.");
        }
        return [.. lines.Skip(start + 1)
            .TakeWhile(l => !l.StartsWith("### ", StringComparison.Ordinal))
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries))
            .Select(cells => new DocumentedMetric(cells[1].Trim('`'), cells[2], cells[3]))];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tips.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Tips.sln not found above " + AppContext.BaseDirectory);
    }
}
