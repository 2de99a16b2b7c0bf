namespace Tips.TestSupport;

/// <summary>The checkout these tests run in: found by walking up to <c>Tips.sln</c>.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    public static string Read(params string[] parts) => File.ReadAllText(Path(parts));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Tips.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Tips.sln not found above " + AppContext.BaseDirectory);
    }
}
