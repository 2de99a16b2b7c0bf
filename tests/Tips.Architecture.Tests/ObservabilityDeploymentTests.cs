using System.Text.Json;
using System.Text.RegularExpressions;
using Tips.TestSupport;
using YamlDotNet.RepresentationModel;

namespace Tips.Architecture.Tests;

/// <summary>The compose `observability` profile, the Prometheus and collector configs, and the Grafana dashboard agree
/// with each other, with the services' settings and with the metrics docs/operations.md documents.</summary>
public sealed partial class ObservabilityDeploymentTests
{
    private const string ManagementPort = "9464";
    private static readonly YamlMappingNode Compose = Yaml.Load(Repository.Read("docker-compose.yml"));

    private static YamlNode Service(string name) =>
        Compose.Get("services")?.Get(name) ?? throw new Xunit.Sdk.XunitException($"docker-compose.yml has no service '{name}'.");

    private static IEnumerable<string> Strings(YamlNode? sequence) => sequence.Items().Cast<YamlScalarNode>().Select(i => i.Value!);

    /// <summary>The Prometheus names of docs/operations.md's metrics table.</summary>
    private static HashSet<string> DocumentedMetrics() =>
    [
        .. Repository.Read("docs", "operations.md").Split('\n')
            .SkipWhile(l => !l.StartsWith("### What each metric means", StringComparison.Ordinal))
            .Skip(1)
            .TakeWhile(l => !l.StartsWith("### ", StringComparison.Ordinal))
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries)[1].Trim('`')),
    ];

    /// <summary>Metric names a PromQL expression reads (label matchers and groupings left out), without the histogram
    /// series suffixes.</summary>
    private static IEnumerable<string> MetricsIn(string promql) =>
        MetricName().Matches(Grouping().Replace(Matchers().Replace(promql, ""), ""))
            .Select(m => SeriesSuffix().Replace(m.Value, ""));

    [Fact]
    public void The_profile_brings_a_collector_jaeger_prometheus_and_grafana_with_their_uis_on_loopback_only()
    {
        foreach (var name in new[] { "otel-collector", "jaeger", "prometheus", "grafana" })
        {
            Assert.Equal(["observability"], Strings(Service(name).Get("profiles")));
            Assert.All(Strings(Service(name).Get("ports")), p => Assert.StartsWith("127.0.0.1:", p));
        }
        Assert.Contains(Strings(Service("prometheus").Get("volumes")), v => v.StartsWith("./infra/observability/prometheus.yml:", StringComparison.Ordinal));
        Assert.Contains(Strings(Service("prometheus").Get("volumes")), v => v.StartsWith("./infra/observability/alerts.yml:/etc/prometheus/alerts.yml", StringComparison.Ordinal));
        Assert.Contains(Strings(Service("otel-collector").Get("volumes")), v => v.StartsWith("./infra/observability/otel-collector.yaml:", StringComparison.Ordinal));
    }

    [Fact]
    public void Both_services_serve_metrics_on_an_internal_management_port_that_prometheus_scrapes_by_dns()
    {
        var prometheus = Yaml.Load(Repository.Read("infra", "observability", "prometheus.yml"));
        var jobs = prometheus.Get("scrape_configs").Items().ToDictionary(j => j.Scalar("job_name")!);

        foreach (var (service, job) in new[] { ("api", "tips-api"), ("serving", "tips-serving") })
        {
            Assert.Equal(ManagementPort, Service(service).Get("environment")?.Scalar("Metrics__Port"));
            Assert.Contains(ManagementPort, Strings(Service(service).Get("expose")));
            Assert.DoesNotContain(Strings(Service(service).Get("ports")), p => p.Contains(ManagementPort, StringComparison.Ordinal));
            var discovery = Assert.Single(jobs[job].Get("dns_sd_configs").Items());
            Assert.Equal([service], Strings(discovery.Get("names")));
            Assert.Equal(ManagementPort, discovery.Scalar("port"));
        }
    }

    [Fact]
    public void Traces_go_to_the_collector_only_when_the_endpoint_is_set_and_on_to_jaeger()
    {
        foreach (var service in new[] { "api", "serving" })
        {
            Assert.Equal("${OTEL_EXPORTER_OTLP_ENDPOINT:-}", Service(service).Get("environment")?.Scalar("OTEL_EXPORTER_OTLP_ENDPOINT"));
            Assert.Equal("prometheus", Service(service).Get("environment")?.Scalar("OTEL_METRICS_EXPORTER"));
        }
        Assert.Contains("# Observability. Set to http://otel-collector:4317", Repository.Read(".env.example"));

        var collector = Yaml.Load(Repository.Read("infra", "observability", "otel-collector.yaml"));
        Assert.EndsWith(":4317", collector.Get("receivers")?.Get("otlp")?.Get("protocols")?.Get("grpc")?.Scalar("endpoint"));
        var traces = collector.Get("service")?.Get("pipelines")?.Get("traces");
        Assert.Equal(["otlp"], Strings(traces?.Get("receivers")));
        var exporter = Assert.Single(Strings(traces?.Get("exporters")));
        Assert.Equal("jaeger:4317", collector.Get("exporters")?.Get(exporter)?.Scalar("endpoint"));
        Assert.Contains("4317", Strings(Service("jaeger").Get("expose")));
    }

    [Fact]
    public void Grafana_is_provisioned_with_the_dashboard_and_it_charts_the_documented_metrics_only()
    {
        var volumes = Strings(Service("grafana").Get("volumes")).ToList();
        Assert.Contains("./infra/observability/grafana/provisioning:/etc/grafana/provisioning:ro", volumes);
        Assert.Contains("./infra/observability/grafana/dashboards:/var/lib/grafana/dashboards:ro", volumes);
        var provider = Assert.Single(Yaml.Load(Repository.Read("infra", "observability", "grafana", "provisioning", "dashboards", "dashboards.yaml"))
            .Get("providers").Items());
        Assert.Equal("/var/lib/grafana/dashboards", provider.Get("options")?.Scalar("path"));
        var datasources = Yaml.Load(Repository.Read("infra", "observability", "grafana", "provisioning", "datasources", "datasources.yaml"))
            .Get("datasources").Items().ToDictionary(d => d.Scalar("uid")!, d => d.Scalar("url")!);
        Assert.Equal("http://prometheus:9090", datasources["prometheus"]);

        using var dashboard = JsonDocument.Parse(Repository.Read("infra", "observability", "grafana", "dashboards", "tips.json"));
        var targets = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.GetProperty("type").GetString() != "row")
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => (Panel: p, Target: t)))
            .ToList();
        Assert.All(targets, t => Assert.Equal("prometheus", t.Target.GetProperty("datasource").GetProperty("uid").GetString()));

        var documented = DocumentedMetrics();
        var charted = targets.SelectMany(t => MetricsIn(t.Target.GetProperty("expr").GetString()!)).ToHashSet();
        Assert.All(charted, m => Assert.True(documented.Contains(m), $"the dashboard charts {m}, which docs/operations.md does not document"));
        Assert.All(documented.Where(m => m.StartsWith("tips_", StringComparison.Ordinal) || m.StartsWith("gen_ai_", StringComparison.Ordinal)),
            m => Assert.True(charted.Contains(m), $"{m} is documented but on no dashboard panel"));
    }

    [Fact]
    public void The_alerts_hold_the_healthy_ranges_of_the_operations_guide()
    {
        var rules = Yaml.Load(Repository.Read("infra", "observability", "alerts.yml"))
            .Get("groups").Items().SelectMany(g => g.Get("rules").Items())
            .ToDictionary(r => r.Scalar("alert")!, r => r.Scalar("expr")!);

        Assert.EndsWith("> 0.01", rules["TipsApiErrorRateHigh"].Trim());
        Assert.EndsWith("> 0.01", rules["TipsLlmErrorRateHigh"].Trim());
        Assert.EndsWith("> 0.05", rules["TipsFallbackFrequencyHigh"].Trim());
        Assert.EndsWith("< 0.40", rules["TipsCandidateCacheHitRateLow"].Trim());
        var documented = DocumentedMetrics();
        Assert.All(rules.Values.SelectMany(MetricsIn), m => Assert.Contains(m, documented));
        var guide = Repository.Read("docs", "operations.md");
        Assert.Contains("| fallback frequency | < 5 % |", guide);
        Assert.Contains("| candidate cache hit rate | > 40 % |", guide);
        Assert.Contains("| API error rate (5xx) | < 1 % |", guide);
    }

    [GeneratedRegex(@"\b(?:tips|gen_ai|http_server|http_client)_[a-z_]+")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\b(?:by|without)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex("_(bucket|sum|count)$")]
    private static partial Regex SeriesSuffix();
}
