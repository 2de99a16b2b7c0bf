namespace Tips.Architecture.Tests.Rules;

/// <summary>A text file of a checkout, by its path relative to the checkout's root (with <c>/</c> separators).</summary>
public sealed record RepositoryFile(string Path, string Text)
{
    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>Under <paramref name="folder"/> (a relative path such as <c>services/</c>).</summary>
    public bool IsUnder(string folder) => Path.StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>Part of the product (not a test project or test data).</summary>
    public bool IsProduct => !IsUnder("tests");

    /// <summary>The 1-based line of a character position.</summary>
    public int LineOf(int index)
    {
        var line = 1;
        for (var i = 0; i < index && i < Text.Length; i++)
        {
            if (Text[i] == '\n')
            {
                line++;
            }
        }
        return line;
    }

    /// <summary>
    /// The files the rules read below <paramref name="root"/>: sources, project and build files, settings and the
    /// gateway config. Build output, local state and the rules' own violating samples are skipped.
    /// </summary>
    public static IReadOnlyList<RepositoryFile> Load(string root)
    {
        var files = new List<RepositoryFile>();
        Walk(new DirectoryInfo(root), "");
        return files;

        void Walk(DirectoryInfo dir, string relative)
        {
            foreach (var file in dir.EnumerateFiles())
            {
                if (Read.Contains(file.Extension) || file.Name == ".env.example")
                {
                    files.Add(new RepositoryFile(relative + file.Name, File.ReadAllText(file.FullName)));
                }
            }
            foreach (var sub in dir.EnumerateDirectories())
            {
                var path = relative + sub.Name;
                if (!Skipped.Contains(sub.Name) && path != SamplesFolder && (sub.Attributes & FileAttributes.ReparsePoint) == 0)
                {
                    Walk(sub, path + "/");
                }
            }
        }
    }

    /// <summary>Deliberately violating inputs of the rules' own tests: never part of a scan of the repository.</summary>
    public const string SamplesFolder = "tests/Tips.Architecture.Tests/Samples";

    private static readonly HashSet<string> Read = new(StringComparer.OrdinalIgnoreCase)
    {
        ".cs", ".csproj", ".props", ".targets", ".json", ".yaml", ".yml",
    };

    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal)
    {
        "bin", "obj", ".git", ".tips", ".vs", ".idea", "node_modules", "TestResults",
    };
}
