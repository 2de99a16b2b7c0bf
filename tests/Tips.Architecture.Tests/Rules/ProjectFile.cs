using System.Xml.Linq;

namespace Tips.Architecture.Tests.Rules;

/// <summary>What an MSBuild project (or a Directory.Build.props/targets) declares, read from its XML.</summary>
public sealed record ProjectFile(
    string Path,
    string Sdk,
    IReadOnlyList<string> Packages,
    IReadOnlyList<string> ProjectReferences,
    IReadOnlyList<string> Frameworks,
    IReadOnlyList<string> CompiledFiles)
{
    /// <summary><c>Tips.Api</c> for <c>services/Tips.Api/Tips.Api.csproj</c>.</summary>
    public string Name => System.IO.Path.GetFileNameWithoutExtension(Path);

    public string Directory => Path.Contains('/', StringComparison.Ordinal) ? Path[..Path.LastIndexOf('/')] : "";

    public bool IsTest => Path.StartsWith("tests/", StringComparison.Ordinal);

    /// <summary>Benchmarks run the services' code in-process to measure it, as tests do to test it.</summary>
    public bool IsBenchmark => Path.StartsWith("bench/", StringComparison.Ordinal);

    /// <summary>Reads a project file; paths it references are resolved to repository-relative paths.</summary>
    public static ProjectFile Parse(RepositoryFile file)
    {
        var xml = XDocument.Parse(file.Text);
        var root = xml.Root ?? throw new InvalidOperationException($"{file.Path} is empty.");
        var directory = file.Path.Contains('/', StringComparison.Ordinal) ? file.Path[..file.Path.LastIndexOf('/')] : "";
        var sdk = (string?)root.Attribute("Sdk")
            ?? root.Elements().FirstOrDefault(e => e.Name.LocalName == "Sdk")?.Attribute("Name")?.Value
            ?? "";

        List<string> Includes(string item) =>
        [
            .. root.Descendants().Where(e => e.Name.LocalName == item)
                .Select(e => (string?)e.Attribute("Include"))
                .Where(v => !string.IsNullOrWhiteSpace(v))
                .Select(v => v!.Trim()),
        ];

        return new ProjectFile(
            file.Path,
            sdk,
            Includes("PackageReference"),
            [.. Includes("ProjectReference").Select(p => Resolve(directory, p))],
            Includes("FrameworkReference"),
            [.. Includes("Compile").Where(p => p.Contains("..", StringComparison.Ordinal)).Select(p => Resolve(directory, p))]);
    }

    /// <summary>Every project and build file of <paramref name="files"/>.</summary>
    public static IReadOnlyList<ProjectFile> All(IEnumerable<RepositoryFile> files) =>
        [.. files.Where(f => f.Path.EndsWith(".csproj", StringComparison.Ordinal) || IsBuildFile(f.Name)).Select(Parse)];

    public static bool IsBuildFile(string name) => name is "Directory.Build.props" or "Directory.Build.targets";

    /// <summary><c>..\..\shared\X\X.csproj</c> seen from <c>services/Tips.Api</c> → <c>shared/X/X.csproj</c>.</summary>
    private static string Resolve(string directory, string include)
    {
        var parts = new List<string>(directory.Length == 0 ? [] : directory.Split('/'));
        foreach (var part in include.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else if (part != ".")
            {
                parts.Add(part);
            }
        }
        return string.Join('/', parts);
    }
}

/// <summary>The projects of a checkout and the references between them.</summary>
public sealed class ProjectGraph
{
    private readonly Dictionary<string, ProjectFile> _projects;
    private readonly List<ProjectFile> _buildFiles;

    public ProjectGraph(IEnumerable<ProjectFile> files)
    {
        var all = files.ToList();
        _projects = all.Where(p => !ProjectFile.IsBuildFile(System.IO.Path.GetFileName(p.Path))).ToDictionary(p => p.Path, StringComparer.Ordinal);
        _buildFiles = [.. all.Where(p => ProjectFile.IsBuildFile(System.IO.Path.GetFileName(p.Path)))];
    }

    public IEnumerable<ProjectFile> Projects => _projects.Values.OrderBy(p => p.Path, StringComparer.Ordinal);

    public ProjectFile? Named(string name) => Projects.FirstOrDefault(p => p.Name == name);

    /// <summary>Packages a project gets from its own file and from every Directory.Build.props/targets above it.</summary>
    public IEnumerable<(string Package, string DeclaredIn)> PackagesOf(ProjectFile project)
    {
        foreach (var package in project.Packages)
        {
            yield return (package, project.Path);
        }
        foreach (var build in _buildFiles.Where(b => b.Directory.Length == 0 || project.Path.StartsWith(b.Directory + "/", StringComparison.Ordinal)))
        {
            foreach (var package in build.Packages)
            {
                yield return (package, build.Path);
            }
        }
    }

    /// <summary>
    /// Every project <paramref name="from"/> reaches through project references (itself excluded), each with the
    /// chain that leads there, e.g. <c>Tips.Doctor → Tips.Migrations → Tips.Api</c>.
    /// </summary>
    public IReadOnlyList<(ProjectFile Project, string Chain)> Reachable(ProjectFile from)
    {
        var chains = new Dictionary<string, string>(StringComparer.Ordinal) { [from.Path] = from.Name };
        var queue = new Queue<ProjectFile>([from]);
        var found = new List<(ProjectFile, string)>();
        while (queue.TryDequeue(out var current))
        {
            foreach (var reference in current.ProjectReferences)
            {
                if (chains.ContainsKey(reference) || !_projects.TryGetValue(reference, out var next))
                {
                    continue;
                }
                var chain = chains[current.Path] + " → " + next.Name;
                chains[reference] = chain;
                found.Add((next, chain));
                queue.Enqueue(next);
            }
        }
        return found;
    }
}
