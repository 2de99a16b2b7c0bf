using System.Text.RegularExpressions;
using Tips.TestSupport;
using YamlDotNet.RepresentationModel;

namespace Tips.Architecture.Tests;

/// <summary>docker-compose.yml, the LiteLLM config, the image recipe and .env.example name what the services need.</summary>
public sealed partial class DeploymentTests
{
    private static readonly YamlMappingNode Compose = Yaml.Load(Repository.Read("docker-compose.yml"));
    private static readonly YamlMappingNode LiteLlm = Yaml.Load(Repository.Read("infra", "litellm", "litellm_config.yaml"));

    private static YamlNode Service(string name) =>
        Compose.Get("services")?.Get(name) ?? throw new Xunit.Sdk.XunitException($"docker-compose.yml has no service '{name}'.");

    private static Dictionary<string, string> Environment(string service) =>
        Service(service).Get("environment").Entries().ToDictionary(e => e.Key, e => ((YamlScalarNode)e.Value).Value ?? "");

    [Fact]
    public void The_gateway_config_defines_the_aliases_by_model_list()
    {
        var models = LiteLlm.Get("model_list").Items().ToDictionary(m => m.Scalar("model_name")!, m => m.Get("litellm_params")!);

        Assert.Equal(["embedder", "judge", "tip-generator"], models.Keys.Order());
        Assert.StartsWith("ollama_chat/", models["tip-generator"].Scalar("model"));
        Assert.StartsWith("ollama/", models["embedder"].Scalar("model"));
        Assert.Equal("os.environ/JUDGE_API_KEY", models["judge"].Scalar("api_key"));
        Assert.All(models.Values, p => Assert.NotNull(p.Scalar("timeout")));
    }

    [Fact]
    public void The_master_key_is_under_general_settings_from_the_environment_and_nowhere_else()
    {
        Assert.Equal("os.environ/LITELLM_MASTER_KEY", LiteLlm.Get("general_settings")?.Scalar("master_key"));
        foreach (var (section, value) in LiteLlm.Entries().Where(e => e.Key != "general_settings"))
        {
            Assert.Null(value.Get("master_key"));
            Assert.NotEqual("master_key", section);
        }
    }

    [Fact]
    public void Gateway_timeouts_retries_and_the_redis_cache_are_explicit()
    {
        var router = LiteLlm.Get("router_settings")!;
        var settings = LiteLlm.Get("litellm_settings")!;

        Assert.NotNull(router.Scalar("num_retries"));
        Assert.NotNull(router.Scalar("timeout"));
        Assert.Equal("true", settings.Scalar("cache"));
        Assert.Equal("redis", settings.Get("cache_params")?.Scalar("type"));
    }

    [Fact]
    public void Every_image_is_pinned_to_a_version()
    {
        var images = Compose.Get("services").Entries()
            .Select(s => (s.Key, Image: s.Value.Scalar("image")))
            .Where(s => s.Image is not null)
            .ToList();

        Assert.NotEmpty(images);
        Assert.All(images, s =>
        {
            Assert.Matches(PinnedTag(), s.Image!);
            Assert.DoesNotContain("latest", s.Image!, StringComparison.OrdinalIgnoreCase);
        });
        Assert.Matches(@"^ghcr\.io/berriai/litellm:v\d+\.\d+\.\d+", Service("litellm").Scalar("image")!);
    }

    [Fact]
    public void The_core_services_start_in_order_on_health()
    {
        Assert.Equal("service_healthy", Service("migrate").Get("depends_on")?.Get("postgres")?.Scalar("condition"));
        Assert.Equal("service_completed_successfully", Service("api").Get("depends_on")?.Get("migrate")?.Scalar("condition"));
        Assert.Equal("service_healthy", Service("api").Get("depends_on")?.Get("serving")?.Scalar("condition"));
        Assert.Equal("no", Service("migrate").Scalar("restart"));
        foreach (var name in new[] { "postgres", "serving", "api", "ollama", "redis", "litellm" })
        {
            Assert.NotNull(Service(name).Get("healthcheck")?.Get("test"));
        }
    }

    [Fact]
    public void The_services_are_wired_to_each_other()
    {
        var api = Environment("api");
        var serving = Environment("serving");
        var litellm = Environment("litellm");

        Assert.Equal("http://serving:8080", api["SERVING_URL"]);
        Assert.Equal(serving["SERVING_API_KEY"], api["SERVING_API_KEY"]);
        Assert.Contains("litellm:4000", serving["LITELLM_URL"]);
        Assert.Contains("LITELLM_MASTER_KEY", serving["LITELLM_MASTER_KEY"]);
        Assert.Contains("LITELLM_MASTER_KEY", litellm["LITELLM_MASTER_KEY"]);
        Assert.Contains("Host=postgres", Service("api").Get("environment")!.Scalar("ConnectionStrings__Tips"));
        Assert.Contains("Host=postgres", Service("migrate").Get("environment")!.Scalar("ConnectionStrings__Tips"));
        Assert.Equal("http://ollama:11434", litellm["OLLAMA_API_BASE"]);
        Assert.Equal("redis", litellm["REDIS_HOST"]);
        Assert.Contains(Service("litellm").Get("volumes").Items().Cast<YamlScalarNode>(),
            v => v.Value!.StartsWith("./infra/litellm/litellm_config.yaml:", StringComparison.Ordinal));
    }

    [Fact]
    public void Only_the_api_is_published_serving_and_the_gateway_stay_internal()
    {
        Assert.NotNull(Service("api").Get("ports"));
        foreach (var name in new[] { "serving", "litellm", "ollama", "redis" })
        {
            Assert.Null(Service(name).Get("ports"));
        }
        Assert.All(Service("postgres").Get("ports").Items().Cast<YamlScalarNode>(), p => Assert.StartsWith("127.0.0.1:", p.Value));
    }

    [Fact]
    public void The_ai_profile_brings_local_inference_and_pulls_the_configured_models()
    {
        foreach (var name in new[] { "ollama", "ollama-pull", "redis", "litellm" })
        {
            Assert.Equal(["ai"], Service(name).Get("profiles").Items().Cast<YamlScalarNode>().Select(p => p.Value));
        }
        Assert.Equal("service_completed_successfully", Service("litellm").Get("depends_on")?.Get("ollama-pull")?.Scalar("condition"));
        var pull = Repository.Read("infra", "litellm", "pull-models.sh");
        Assert.Contains("litellm_config.yaml", string.Join(' ', Service("ollama-pull").Get("entrypoint").Items().Cast<YamlScalarNode>().Select(i => i.Value)));
        Assert.Contains("ollama pull", pull);
    }

    [Fact]
    public void Images_are_multi_stage_non_root_and_carry_no_secrets()
    {
        var dockerfile = Repository.Read("infra", "docker", "Dockerfile");
        var ignore = Repository.Read(".dockerignore").Split('\n', StringSplitOptions.TrimEntries);

        Assert.True(Regex.Matches(dockerfile, @"^FROM ", RegexOptions.Multiline).Count >= 2, "multi-stage build");
        Assert.Matches(@"FROM mcr\.microsoft\.com/dotnet/aspnet:\$\{DOTNET_VERSION\}-alpine", dockerfile);
        Assert.Matches(@"(?m)^USER \$APP_UID\s*$", dockerfile);
        Assert.Contains(".tips/", ignore);
        Assert.Contains(".env", ignore);
        foreach (var service in new[] { "api", "serving", "migrate" })
        {
            Assert.Equal("infra/docker/Dockerfile", Service(service).Get("build")?.Scalar("dockerfile"));
        }
    }

    [Fact]
    public void Env_example_explains_every_variable_of_the_design()
    {
        var lines = Repository.Read(".env.example").Split('\n');
        string[] variables =
        [
            "ConnectionStrings__Tips", "LITELLM_URL", "LITELLM_MASTER_KEY", "SERVING_URL", "SERVING_API_KEY", "TODOIST_API_URL",
            "Auth__SigningKey", "Auth__Authority", "TIPS_API_PORT", "TIPS_SERVING_PORT", "TIPS_PG_PORT", "TIPS_DB_PASSWORD",
        ];

        foreach (var variable in variables)
        {
            var at = Array.FindIndex(lines, l => l.StartsWith(variable + "=", StringComparison.Ordinal));
            Assert.True(at >= 0, $".env.example lacks {variable}");
            var explanation = lines.Take(at).Reverse().TakeWhile(l => l.StartsWith('#') || l.Contains('=')).FirstOrDefault(l => l.StartsWith('#'));
            Assert.False(explanation is null, $"{variable} has no comment line above it");
        }
    }

    [GeneratedRegex(@"^[\w./-]+:(v?\d+(\.\d+)+)(-[\w.]+)?$")]
    private static partial Regex PinnedTag();
}
