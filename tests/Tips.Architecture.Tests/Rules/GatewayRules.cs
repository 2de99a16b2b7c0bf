using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Tips.Architecture.Tests.Rules;

/// <summary>
/// The gateway rules (design.md, ADR 0003): only Tips.Serving talks to an LLM, only through the LiteLLM gateway,
/// only by alias; models are chosen in the gateway's config, so a model swap is a YAML change.
/// </summary>
public static partial class GatewayRules
{
    public const string ServingProject = "Tips.Serving";
    public const string GatewayConfig = "infra/litellm/litellm_config.yaml";

    /// <summary>
    /// Only Tips.Serving references an LLM client package (Microsoft.Extensions.AI, OpenAI and the like), directly
    /// or from a Directory.Build file; no other product project reaches one through its project references.
    /// Test and benchmark projects may reference Tips.Serving to test or measure it.
    /// </summary>
    public static IReadOnlyList<Violation> OnlyServingUsesLlmPackages(ProjectGraph graph)
    {
        const string instead =
            "only Tips.Serving talks to the LLM gateway. Ask Tips.Serving for candidates over HTTP (POST /generate, as " +
            "Tips.Api's ServingClient does) or move the code into Tips.Serving.";
        var violations = new List<Violation>();
        foreach (var project in graph.Projects.Where(p => p.Name != ServingProject))
        {
            foreach (var (package, declaredIn) in graph.PackagesOf(project).Where(p => IsLlmPackage(p.Package)))
            {
                violations.Add(new("llm-packages", declaredIn,
                    $"{project.Name} references the package {package}: {instead}"));
            }
            if (project.IsTest || project.IsBenchmark)
            {
                continue;
            }
            foreach (var (reached, chain) in graph.Reachable(project))
            {
                foreach (var (package, _) in graph.PackagesOf(reached).Where(p => IsLlmPackage(p.Package)))
                {
                    violations.Add(new("llm-packages", project.Path,
                        $"{project.Name} gets the package {package} through {chain}: {instead}"));
                }
            }
        }
        return [.. violations.Distinct()];
    }

    public static bool IsLlmPackage(string package) => LlmPackage().IsMatch(package);

    /// <summary>
    /// No C# source or service settings outside <c>tests/</c> names a model (qwen…, llama…, gpt-…, claude-…,
    /// gemini…, mistral…) or a model provider's address (api.openai.com, api.anthropic.com, generativelanguage…,
    /// an Ollama port 11434). Tests may: they play the gateway.
    /// </summary>
    public static IReadOnlyList<Violation> NoModelNamesOrProviderAddresses(IEnumerable<RepositoryFile> files)
    {
        var violations = new List<Violation>();
        foreach (var file in ScannedForModels(files))
        {
            foreach (Match match in ModelName().Matches(file.Text))
            {
                violations.Add(new("model-names", $"{file.Path}:{file.LineOf(match.Index)}",
                    $"names the model '{match.Value}': code names only gateway aliases (e.g. tip-generator, set by " +
                    $"Gateway__Alias). Choose the model for an alias in {GatewayConfig} (model_list) instead."));
            }
            foreach (Match match in ProviderAddress().Matches(file.Text))
            {
                violations.Add(new("model-names", $"{file.Path}:{file.LineOf(match.Index)}",
                    $"names the address of a model provider '{match.Value}': only the LLM gateway talks to providers. Call " +
                    $"the gateway at LITELLM_URL by alias (from Tips.Serving); put the provider's api_base in {GatewayConfig}."));
            }
        }
        return violations;
    }

    /// <summary>What <see cref="NoModelNamesOrProviderAddresses"/> reads: C# and appsettings*.json outside tests/.</summary>
    public static IEnumerable<RepositoryFile> ScannedForModels(IEnumerable<RepositoryFile> files) =>
        files.Where(f => f.IsProduct &&
            (f.Path.EndsWith(".cs", StringComparison.Ordinal) ||
             (f.Name.StartsWith("appsettings", StringComparison.Ordinal) && f.Name.EndsWith(".json", StringComparison.Ordinal))));

    /// <summary>
    /// The gateway config parses, and its <c>model_list</c> defines every alias the code's options name: string
    /// defaults of <c>…Alias</c> properties and constants in C#, <c>…Alias</c>/<c>…Aliases</c> values in
    /// appsettings*.json, and <c>…__Alias</c> lines of .env.example (all outside tests/).
    /// </summary>
    public static IReadOnlyList<Violation> ConfigDefinesEveryAlias(IEnumerable<RepositoryFile> files)
    {
        var all = files.ToList();
        var config = all.FirstOrDefault(f => f.Path == GatewayConfig);
        if (config is null)
        {
            return [new("gateway-aliases", GatewayConfig, "is missing: it is where models are chosen for the code's aliases. Restore it.")];
        }

        HashSet<string> defined;
        try
        {
            defined = DefinedAliases(config.Text);
        }
        catch (Exception e) when (e is YamlException or InvalidCastException or InvalidOperationException)
        {
            var line = e is YamlException yaml ? $":{yaml.Start.Line}" : "";
            return [new("gateway-aliases", GatewayConfig + line,
                $"does not parse as a LiteLLM config ({e.Message.ReplaceLineEndings(" ")}): fix the YAML (a mapping with a " +
                "model_list of {model_name, litellm_params}); LiteLLM would not start with it.")];
        }

        var violations = new List<Violation>();
        foreach (var (alias, where) in NamedAliases(all))
        {
            if (!defined.Contains(alias))
            {
                violations.Add(new("gateway-aliases", where,
                    $"names the alias '{alias}', which {GatewayConfig} does not define (it defines: " +
                    $"{string.Join(", ", defined.Order(StringComparer.Ordinal))}). Add a model_list entry with " +
                    $"model_name: {alias} there, or name one of the defined aliases."));
            }
        }
        return violations;
    }

    /// <summary>The aliases the product's code and settings name, each with where it is named.</summary>
    public static IReadOnlyList<(string Alias, string Where)> NamedAliases(IEnumerable<RepositoryFile> files)
    {
        var named = new List<(string, string)>();
        foreach (var file in files.Where(f => f.IsProduct))
        {
            if (file.Path.EndsWith(".cs", StringComparison.Ordinal))
            {
                foreach (Match match in AliasInCode().Matches(file.Text))
                {
                    named.Add((match.Groups["alias"].Value, $"{file.Path}:{file.LineOf(match.Index)}"));
                }
            }
            else if (file.Name.StartsWith("appsettings", StringComparison.Ordinal) && file.Name.EndsWith(".json", StringComparison.Ordinal))
            {
                named.AddRange(AliasesInSettings(file));
            }
            else if (file.Name == ".env.example")
            {
                foreach (Match match in AliasInEnvironment().Matches(file.Text))
                {
                    named.Add((match.Groups["alias"].Value.Trim(), $"{file.Path}:{file.LineOf(match.Index)}"));
                }
            }
        }
        return named;
    }

    private static HashSet<string> DefinedAliases(string yaml)
    {
        var root = Yaml.Load(yaml);
        if (root.Get("model_list") is not YamlSequenceNode models)
        {
            throw new InvalidOperationException("it has no model_list sequence");
        }
        return [.. models.Children.Select(m => m.Scalar("model_name")).Where(n => !string.IsNullOrEmpty(n)).Select(n => n!)];
    }

    private static IEnumerable<(string, string)> AliasesInSettings(RepositoryFile file)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(file.Text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{file.Path} is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var found = new List<(string, string)>();
            Walk(document.RootElement, "");
            return found;

            void Walk(JsonElement element, string path)
            {
                if (element.ValueKind != JsonValueKind.Object)
                {
                    return;
                }
                foreach (var property in element.EnumerateObject())
                {
                    var key = path.Length == 0 ? property.Name : $"{path}:{property.Name}";
                    if (property.Name.EndsWith("Alias", StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String)
                    {
                        found.Add((property.Value.GetString()!, $"{file.Path} ({key})"));
                    }
                    else if (property.Name.EndsWith("Aliases", StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.Array)
                    {
                        found.AddRange(property.Value.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String)
                            .Select(a => (a.GetString()!, $"{file.Path} ({key})")));
                    }
                    else
                    {
                        Walk(property.Value, key);
                    }
                }
            }
        }
    }

    [GeneratedRegex(@"^(Microsoft\.Extensions\.AI(\..+)?|OpenAI(\..+)?|Azure\.AI\.OpenAI.*|Microsoft\.SemanticKernel.*|OllamaSharp.*|Anthropic.*|Mscc\.GenerativeAI.*|LLamaSharp.*)$",
        RegexOptions.IgnoreCase)]
    private static partial Regex LlmPackage();

    // A family word at the start of a word (so "Ollama" is no llama), not continued by letters ("llamar"), with its
    // version and size suffixes: qwen2.5:7b, gpt-4o-mini, claude-sonnet-4-5, mistral-large, phi-3.
    [GeneratedRegex(@"\b(?:(?:qwen|llama|gemini|mistral|mixtral|deepseek|gemma|codestral)(?![a-z])|gpt-?(?=[0-9a-z])|claude-|phi-?(?=[1-9]))[\w.:\-]*",
        RegexOptions.IgnoreCase)]
    private static partial Regex ModelName();

    [GeneratedRegex(@"api\.openai\.com|api\.anthropic\.com|generativelanguage\.googleapis\.com|aiplatform\.googleapis\.com|[\w-]+\.openai\.azure\.com|api\.mistral\.ai|api\.groq\.com|openrouter\.ai|api\.together\.xyz|api\.deepseek\.com|api\.cohere\.(?:ai|com)|bedrock-runtime\.[\w.-]+|(?<![\w.])11434(?!\d)",
        RegexOptions.IgnoreCase)]
    private static partial Regex ProviderAddress();

    [GeneratedRegex(@"\b\w*Alias\s*\{\s*get;\s*(?:set|init);\s*\}\s*=\s*""(?<alias>[^""]*)""|\bconst\s+string\s+\w*Alias\s*=\s*""(?<alias>[^""]*)""")]
    private static partial Regex AliasInCode();

    [GeneratedRegex(@"(?m)^\s*[\w]*__\w*Alias(?:es__\d+)?=(?<alias>[^\r\n#]+)")]
    private static partial Regex AliasInEnvironment();
}
