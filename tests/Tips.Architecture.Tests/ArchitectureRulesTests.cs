using Tips.Architecture.Tests.Rules;
using Tips.TestSupport;

namespace Tips.Architecture.Tests;

/// <summary>
/// Each architecture rule runs over this checkout (which must be clean) and over a sample that breaks it on purpose
/// (<c>Samples/</c>), which it must report with a message that says what to do instead.
/// </summary>
public sealed class ArchitectureRulesTests
{
    private static readonly Lazy<IReadOnlyList<RepositoryFile>> Checkout = new(() => RepositoryFile.Load(Repository.Root));

    private static IReadOnlyList<RepositoryFile> Files => Checkout.Value;

    private static IReadOnlyList<RepositoryFile> Sample(string name) =>
        RepositoryFile.Load(Repository.Path([.. RepositoryFile.SamplesFolder.Split('/'), name]));

    private static ProjectGraph Graph(IEnumerable<RepositoryFile> files) => new(ProjectFile.All(files));

    private static void AssertClean(IReadOnlyList<Violation> violations) =>
        Assert.True(violations.Count == 0, "Architecture rules broken:\n" + string.Join('\n', violations));

    [Fact]
    public void The_scan_reads_the_product_and_the_tests_but_never_the_violating_samples()
    {
        var paths = Files.Select(f => f.Path).ToHashSet();

        Assert.Contains("services/Tips.Serving/Llm/GatewayOptions.cs", paths);
        Assert.Contains("services/Tips.Api/Tips.Api.csproj", paths);
        Assert.Contains("infra/litellm/litellm_config.yaml", paths);
        Assert.Contains("tests/Tips.Architecture.Tests/Tips.Architecture.Tests.csproj", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith(RepositoryFile.SamplesFolder, StringComparison.Ordinal));
        Assert.DoesNotContain(paths, p => p.Contains("/bin/", StringComparison.Ordinal) || p.Contains("/obj/", StringComparison.Ordinal));
    }

    // ------------------------------------------------------------------------------------------ LLM packages

    [Fact]
    public void Only_Tips_Serving_references_LLM_client_packages()
    {
        var graph = Graph(Files);

        AssertClean(GatewayRules.OnlyServingUsesLlmPackages(graph));
        // The rule has something to find: Tips.Serving does use them.
        Assert.Contains(graph.PackagesOf(graph.Named("Tips.Serving")!), p => GatewayRules.IsLlmPackage(p.Package));
    }

    [Fact]
    public void LLM_packages_outside_Tips_Serving_are_reported_direct_through_project_references_and_from_build_files()
    {
        var violations = GatewayRules.OnlyServingUsesLlmPackages(Graph(Sample("LlmPackages")));

        Assert.Equal(
            [
                "infra/doctor/Tips.Doctor/Tips.Doctor.csproj",
                "migrations/Directory.Build.props",
                "services/Tips.Api/Tips.Api.csproj",
                "shared/Tips.Telemetry/Tips.Telemetry.csproj",
                "tests/Tips.Api.Tests/Tips.Api.Tests.csproj",
            ],
            violations.Select(v => v.Where).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(violations, v => v.Message.StartsWith("Tips.Api references the package OpenAI:", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Message.Contains("Tips.Doctor gets the package Microsoft.Extensions.AI.OpenAI through Tips.Doctor → Tips.Telemetry → Tips.Serving", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Message.StartsWith("Tips.Migrations references the package Microsoft.SemanticKernel", StringComparison.Ordinal));
        Assert.All(violations, v => Assert.Contains("POST /generate", v.Message));
    }

    // ------------------------------------------------------------------------------------------ model names

    [Fact]
    public void No_source_outside_tests_names_a_model_or_a_provider_address()
    {
        var scanned = GatewayRules.ScannedForModels(Files).Select(f => f.Path).ToList();

        AssertClean(GatewayRules.NoModelNamesOrProviderAddresses(Files));
        Assert.Contains("services/Tips.Serving/Llm/GatewayOptions.cs", scanned);
        Assert.Contains("services/Tips.Serving/appsettings.json", scanned);
        Assert.Contains("shared/Tips.ServiceDefaults/ContractExamples.cs", scanned);
        Assert.Contains(scanned, p => p.StartsWith("migrations/", StringComparison.Ordinal));
        Assert.Contains(scanned, p => p.StartsWith("infra/doctor/", StringComparison.Ordinal));
        Assert.DoesNotContain(scanned, p => p.StartsWith("tests/", StringComparison.Ordinal));
    }

    [Fact]
    public void Model_names_and_provider_addresses_are_reported_with_their_line()
    {
        var violations = GatewayRules.NoModelNamesOrProviderAddresses(Sample("ModelNames"));
        const string client = "services/Tips.Serving/Llm/DirectModelClient.cs";

        Assert.Equal(
            [
                ($"{client}:6", "qwen2.5:7b"), ($"{client}:7", "llama3.1:8b"), ($"{client}:8", "gpt-4o-mini"),
                ($"{client}:9", "claude-sonnet-4-5"), ($"{client}:10", "gemini-1.5-pro"), ($"{client}:11", "mistral-large-latest"),
                ($"{client}:13", "api.openai.com"), ($"{client}:14", "api.anthropic.com"),
                ($"{client}:15", "generativelanguage.googleapis.com"), ($"{client}:16", "11434"),
                ("services/Tips.Serving/appsettings.Development.json:3", "gpt-4o-mini"),
            ],
            violations.Select(v => (v.Where, Named(v.Message))).OrderBy(v => Order(v.Where), StringComparer.Ordinal));
        Assert.All(violations, v => Assert.Contains("infra/litellm/litellm_config.yaml", v.Message));
        Assert.Contains(violations, v => v.Message.Contains("Choose the model for an alias", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Message.Contains("Call the gateway at LITELLM_URL by alias", StringComparison.Ordinal));

        static string Named(string message) => message.Split('\'')[1];
        // By file, then by line number.
        static string Order(string where) => where[..where.LastIndexOf(':')] + where[(where.LastIndexOf(':') + 1)..].PadLeft(4, '0');
    }

    [Fact]
    public void Aliases_placeholders_and_ordinary_words_are_not_model_names_and_tests_and_infra_may_name_models()
    {
        var files = Sample("ModelNames");

        var violations = GatewayRules.NoModelNamesOrProviderAddresses(files);

        Assert.DoesNotContain(violations, v => v.Where.StartsWith("shared/", StringComparison.Ordinal));
        Assert.DoesNotContain(violations, v => v.Where.StartsWith("tests/", StringComparison.Ordinal));
        Assert.DoesNotContain(violations, v => v.Where.StartsWith("infra/", StringComparison.Ordinal));
        Assert.Contains(files, f => f.Path == "tests/Tips.Serving.Tests/ModelNameTests.cs");
    }

    // ------------------------------------------------------------------------------------------ services apart

    [Fact]
    public void Tips_Api_and_Tips_Serving_do_not_reference_each_other()
    {
        var graph = Graph(Files);

        AssertClean(BoundaryRules.ServicesStayApart(graph));
        Assert.NotNull(graph.Named("Tips.Api"));
        Assert.NotNull(graph.Named("Tips.Serving"));
    }

    [Fact]
    public void A_service_reaching_the_other_directly_through_a_library_or_by_its_sources_is_reported()
    {
        var violations = BoundaryRules.ServicesStayApart(Graph(Sample("ServicesApart")));

        Assert.Equal(
            [
                "Tips.Api references Tips.Serving (Tips.Api → Tips.Serving)",
                "Tips.Serving compiles Tips.Api's source services/Tips.Api/Features/Feedback/Rewards.cs",
                "Tips.Serving references Tips.Api (Tips.Serving → Tips.Shortcuts → Tips.Api)",
            ],
            violations.Select(v => v.Message[..v.Message.IndexOf(": ", StringComparison.Ordinal)]).Order(StringComparer.Ordinal));
        Assert.All(violations, v => Assert.Contains("meet only over HTTP", v.Message));
        Assert.All(violations, v => Assert.Contains("shared/Tips.Contracts", v.Message));
    }

    // ------------------------------------------------------------------------------------------ contracts

    [Fact]
    public void Tips_Contracts_depends_on_no_ASP_NET_or_EF_Core()
    {
        var graph = Graph(Files);

        AssertClean(BoundaryRules.ContractsStandAlone(graph, Files));
        Assert.Contains(Files, f => f.Path.StartsWith("shared/Tips.Contracts/", StringComparison.Ordinal) && f.Path.EndsWith(".cs", StringComparison.Ordinal));
    }

    [Fact]
    public void ASP_NET_and_EF_Core_in_the_contracts_project_its_references_or_its_sources_are_reported()
    {
        var files = Sample("Contracts");

        var violations = BoundaryRules.ContractsStandAlone(Graph(files), files);

        Assert.Equal(
            [
                "shared/Tips.Contracts/Tip.cs:2: uses Microsoft.AspNetCore.Http",
                "shared/Tips.Contracts/Tip.cs:6: uses Microsoft.EntityFrameworkCore.Owned",
                "shared/Tips.Contracts/Tips.Contracts.csproj: Tips.Contracts builds with the Microsoft.NET.Sdk.Web SDK, which brings ASP.NET Core",
                "shared/Tips.Contracts/Tips.Contracts.csproj: Tips.Contracts references the framework Microsoft.AspNetCore.App",
                "shared/Tips.Contracts/Tips.Contracts.csproj: Tips.Contracts references the package Microsoft.EntityFrameworkCore",
                "shared/Tips.Persistence/Tips.Persistence.csproj: Tips.Contracts references the package Npgsql.EntityFrameworkCore.PostgreSQL (through Tips.Contracts → Tips.Persistence)",
            ],
            violations.Select(v => $"{v.Where}: {v.Message[..v.Message.LastIndexOf(": ", StringComparison.Ordinal)]}").Order(StringComparer.Ordinal));
        Assert.All(violations, v => Assert.Contains("Keep ASP.NET and EF Core types in the services", v.Message));
    }

    // ------------------------------------------------------------------------------------------ aliases

    [Fact]
    public void The_gateway_config_parses_and_defines_every_alias_the_code_names()
    {
        AssertClean(GatewayRules.ConfigDefinesEveryAlias(Files));
        // Tips.Serving's GatewayOptions.Alias default is found, so the rule checks something real.
        Assert.Contains(GatewayRules.NamedAliases(Files),
            a => a.Alias == "tip-generator" && a.Where.StartsWith("services/Tips.Serving/Llm/GatewayOptions.cs:", StringComparison.Ordinal));
    }

    [Fact]
    public void Aliases_named_in_option_defaults_constants_settings_and_env_example_but_missing_from_the_config_are_reported()
    {
        var violations = GatewayRules.ConfigDefinesEveryAlias(Sample("GatewayAliases"));

        Assert.Equal(
            [
                (".env.example:2", "tip-drafter"),
                ("services/Tips.Serving/Llm/GatewayOptions.cs:10", "judge"),
                ("services/Tips.Serving/Llm/GatewayOptions.cs:6", "embedder"),
                ("services/Tips.Serving/appsettings.Production.json (Gateway:Alias)", "tip-writer"),
            ],
            violations.Select(v => (v.Where, v.Message.Split('\'')[1])).OrderBy(v => v.Where, StringComparer.Ordinal));
        Assert.All(violations, v => Assert.Contains("(it defines: tip-generator). Add a model_list entry with model_name:", v.Message));
    }

    [Fact]
    public void A_gateway_config_that_does_not_parse_is_reported()
    {
        var violation = Assert.Single(GatewayRules.ConfigDefinesEveryAlias(Sample("BrokenGatewayConfig")));

        Assert.Equal("infra/litellm/litellm_config.yaml:6", violation.Where);
        Assert.Contains("does not parse as a LiteLLM config", violation.Message);
        Assert.Contains("fix the YAML", violation.Message);
    }

    [Theory]
    [InlineData("general_settings:\n  master_key: os.environ/LITELLM_MASTER_KEY\n", "it has no model_list sequence")]
    [InlineData("- model_name: tip-generator\n", "does not parse")]
    public void A_gateway_config_without_a_model_list_mapping_is_reported(string yaml, string expected)
    {
        RepositoryFile[] files =
        [
            new(GatewayRules.GatewayConfig, yaml),
            new("services/Tips.Serving/Llm/GatewayOptions.cs", "public string Alias { get; set; } = \"tip-generator\";"),
        ];

        var violation = Assert.Single(GatewayRules.ConfigDefinesEveryAlias(files));

        Assert.Contains(expected, violation.Message);
    }
}
