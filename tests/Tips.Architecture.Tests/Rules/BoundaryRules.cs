using System.Text.RegularExpressions;

namespace Tips.Architecture.Tests.Rules;

/// <summary>Where the projects meet: the two services only over HTTP and the contracts, the contracts on nothing.</summary>
public static partial class BoundaryRules
{
    public const string ApiProject = "Tips.Api";
    public const string ContractsProject = "Tips.Contracts";

    /// <summary>
    /// Tips.Api and Tips.Serving do not reference each other's projects, directly or through another project, and
    /// do not compile each other's source files.
    /// </summary>
    public static IReadOnlyList<Violation> ServicesStayApart(ProjectGraph graph)
    {
        var violations = new List<Violation>();
        var pairs = new[] { (ApiProject, GatewayRules.ServingProject), (GatewayRules.ServingProject, ApiProject) };
        foreach (var (from, to) in pairs)
        {
            if (graph.Named(from) is not { } project || graph.Named(to) is not { } other)
            {
                continue;
            }
            var instead = $"the services meet only over HTTP (Tips.Api calls Tips.Serving's POST /generate) and share only " +
                $"shared/{ContractsProject}. Move what both need into shared/{ContractsProject}, or call the other service.";
            foreach (var (reached, chain) in graph.Reachable(project).Where(r => r.Project.Path == other.Path))
            {
                violations.Add(new("services-apart", project.Path, $"{from} references {to} ({chain}): {instead}"));
            }
            foreach (var file in project.CompiledFiles.Where(f => f.StartsWith(other.Directory + "/", StringComparison.Ordinal)))
            {
                violations.Add(new("services-apart", project.Path, $"{from} compiles {to}'s source {file}: {instead}"));
            }
        }
        return violations;
    }

    /// <summary>
    /// Tips.Contracts (the wire records both services share) depends on no ASP.NET or EF Core package, framework or
    /// SDK, neither itself nor through a project it references, and its sources use neither.
    /// </summary>
    public static IReadOnlyList<Violation> ContractsStandAlone(ProjectGraph graph, IEnumerable<RepositoryFile> files)
    {
        var contracts = graph.Named(ContractsProject);
        if (contracts is null)
        {
            return [new("contracts", $"shared/{ContractsProject}", "is missing: both services' wire records live there.")];
        }

        const string instead =
            "the contracts are plain records with System.Text.Json, so any caller can use them. Keep ASP.NET and EF Core types " +
            "in the services (map entities to contracts in Tips.Api) and leave this reference out.";
        var violations = new List<Violation>();
        foreach (var (project, chain) in graph.Reachable(contracts).Prepend((contracts, ContractsProject)))
        {
            var via = project == contracts ? "" : $" (through {chain})";
            if (WebSdk().IsMatch(project.Sdk))
            {
                violations.Add(new("contracts", project.Path, $"{ContractsProject} builds with the {project.Sdk} SDK{via}, which brings ASP.NET Core: {instead}"));
            }
            foreach (var framework in project.Frameworks.Where(f => f.StartsWith("Microsoft.AspNetCore", StringComparison.OrdinalIgnoreCase)))
            {
                violations.Add(new("contracts", project.Path, $"{ContractsProject} references the framework {framework}{via}: {instead}"));
            }
            foreach (var (package, declaredIn) in graph.PackagesOf(project).Where(p => AspNetOrEfPackage().IsMatch(p.Package)))
            {
                violations.Add(new("contracts", declaredIn, $"{ContractsProject} references the package {package}{via}: {instead}"));
            }
        }
        foreach (var file in files.Where(f => f.IsUnder(contracts.Directory) && f.Path.EndsWith(".cs", StringComparison.Ordinal)))
        {
            foreach (Match match in AspNetOrEfNamespace().Matches(file.Text))
            {
                violations.Add(new("contracts", $"{file.Path}:{file.LineOf(match.Index)}", $"uses {match.Value}: {instead}"));
            }
        }
        return violations;
    }

    [GeneratedRegex(@"^Microsoft\.NET\.Sdk\.(Web|Razor|BlazorWebAssembly)", RegexOptions.IgnoreCase)]
    private static partial Regex WebSdk();

    [GeneratedRegex(@"^(Microsoft\.AspNetCore\..+|Microsoft\.EntityFrameworkCore.*|Npgsql\.EntityFrameworkCore.*|EFCore\..+|Swashbuckle\..+)$", RegexOptions.IgnoreCase)]
    private static partial Regex AspNetOrEfPackage();

    [GeneratedRegex(@"\bMicrosoft\.(AspNetCore|EntityFrameworkCore)(\.\w+)*")]
    private static partial Regex AspNetOrEfNamespace();
}
