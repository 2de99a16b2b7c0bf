using System.Diagnostics;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Tips.ServiceDefaults;

/// <summary>Where the Prometheus scrape endpoint is served (config section <c>Metrics</c>).</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    public const string PortMessage =
        "Metrics__Port must be a TCP port within 1..65535 (the management port that serves /metrics), or unset for none.";

    /// <summary>
    /// The management port (env <c>Metrics__Port</c>): the service listens on it besides its own URLs and serves
    /// <c>/metrics</c> only there, so the scrape endpoint stays off the published port. Unset: no <c>/metrics</c>.
    /// </summary>
    public int? Port { get; set; }
}

/// <summary>
/// OpenTelemetry for every Tips service: traces of incoming requests, outgoing HTTP and the service's own sources;
/// metrics of ASP.NET Core, Kestrel, HttpClient, the runtime and the service's own meters (every source and meter
/// named <c>Tips.*</c>). Exported over OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; metrics are also
/// served to Prometheus at <c>/metrics</c> on the management port (<see cref="MetricsOptions"/>).
/// </summary>
public static class Telemetry
{
    /// <summary>Sources and meters of the services' own code: <c>Tips.Api</c>, <c>Tips.Serving</c>, <c>Tips.Serving.Llm</c>…</summary>
    public const string OwnNames = "Tips.*";

    public const string ScrapePath = "/metrics";

    /// <summary>W3C Trace Context's response header: the trace (and server span) that served this response.</summary>
    public const string TraceResponseHeader = "traceresponse";

    private const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    internal static void AddTelemetry(this IHostApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var services = builder.Services;

        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section)
            .Validate(o => o.Port is null or >= 1 and <= 65535, MetricsOptions.PortMessage)
            .ValidateOnStart();
        // A bad value is left to the options validation, which stops the start naming Metrics__Port.
        if (int.TryParse(config[$"{MetricsOptions.Section}:Port"], out var port) && port is >= 1 and <= 65535)
        {
            ListenAlsoOn(config, port);
        }

        var otlp = config[OtlpEndpointVariable] is { Length: > 0 };
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                serviceName: config["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : builder.Environment.ApplicationName,
                serviceVersion: Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion))
            .WithMetrics(metrics =>
            {
                // ASP.NET Core's meters by name, only those read: the request durations, Kestrel's connections and
                // the unhandled exceptions. The others (routing, authentication, authorization) were measured per
                // request at about 1 % of Tips.Api's CPU at saturation, for series nobody looks at.
                metrics.AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Diagnostics")
                    .AddHttpClientInstrumentation()
                    .AddMeter("System.Runtime")
                    .AddMeter(OwnNames)
                    // Scraped on demand: every scrape sees every measurement made before it.
                    .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp && Exports(config["OTEL_METRICS_EXPORTER"]))
                {
                    metrics.AddOtlpExporter();
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation(o => o.Filter = http => !IsOperational(http.Request.Path))
                    .AddHttpClientInstrumentation()
                    .AddSource(OwnNames);
                if (otlp && Exports(config["OTEL_TRACES_EXPORTER"]))
                {
                    tracing.AddOtlpExporter();
                }
                else
                {
                    // Nothing takes the spans: keep only the ids, so that trace context still flows to the peers
                    // and into problem+json, without recording what nobody reads.
                    tracing.SetSampler(new AlwaysOffSampler());
                }
            });
    }

    /// <summary>The <c>OTEL_*_EXPORTER</c> variable allows OTLP: unset, or a list naming <c>otlp</c>.</summary>
    private static bool Exports(string? exporters) =>
        exporters is not { Length: > 0 } ||
        exporters.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Contains("otlp", StringComparer.OrdinalIgnoreCase);

    /// <summary>Health probes and scrapes are no one's request: they stay out of the traces.</summary>
    private static bool IsOperational(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments(ScrapePath);

    /// <summary>
    /// Adds the management port to the addresses the server binds, where they come from (<c>--urls</c> or
    /// <c>ASPNETCORE_URLS</c>, else <c>ASPNETCORE_HTTP_PORTS</c>, else Kestrel's default), so that it takes nothing away.
    /// </summary>
    private static void ListenAlsoOn(IConfiguration config, int port)
    {
        if (config[WebHostUrlsKey] is { Length: > 0 } urls)
        {
            config[WebHostUrlsKey] = $"{urls};http://*:{port}";
        }
        else if (config[HttpPortsKey] is { Length: > 0 } ports)
        {
            config[HttpPortsKey] = $"{ports};{port}";
        }
        else
        {
            config[WebHostUrlsKey] = $"http://localhost:5000;http://*:{port}";
        }
    }

    private const string HttpPortsKey = "http_ports";
    private const string WebHostUrlsKey = "urls";

    /// <summary>
    /// <c>/metrics</c> on the management port only. The port is checked on the connection, not the Host header (which
    /// a caller chooses). An in-memory test server has no connection port; there the Host header's port decides.
    /// </summary>
    internal static void MapScrapeEndpoint(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetRequiredService<IOptions<MetricsOptions>>().Value.Port is not { } port)
        {
            return;
        }

        app.MapPrometheusScrapingEndpoint(ScrapePath, meterProvider: null, configureBranchedPipeline: branch =>
            branch.Use((context, next) => OnManagementPort(context, port) ? next(context) : NotFound(context)), optionsName: null)
            .WithMetadata(new ExcludeFromDescriptionAttribute());
    }

    internal static bool OnManagementPort(HttpContext context, int port) =>
        context.Connection.LocalPort is var local and not 0 ? local == port : context.Request.Host.Port == port;

    private static Task NotFound(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    /// <summary>The W3C trace id of the request being served (what to search for in the traces), if any.</summary>
    public static string? TraceId(HttpContext context) =>
        RequestActivity(context) is { } activity && activity.TraceId != default ? activity.TraceId.ToHexString() : null;

    /// <summary>Every answer names its trace in <c>traceresponse</c> (<c>00-{trace id}-{span id}-{flags}</c>).</summary>
    internal static WebApplication UseTraceResponse(this WebApplication app)
    {
        app.Use(static (context, next) =>
        {
            SetTraceResponse(context);
            return next(context);
        });
        return app;
    }

    /// <summary>Also called when an error answer is written: the exception handler clears headers set before.</summary>
    internal static void SetTraceResponse(HttpContext context)
    {
        if (!context.Response.HasStarted && RequestActivity(context) is { IdFormat: ActivityIdFormat.W3C, Id: { } id })
        {
            context.Response.Headers[TraceResponseHeader] = id;
        }
    }

    private static Activity? RequestActivity(HttpContext context) =>
        context.Features.Get<IHttpActivityFeature>()?.Activity ?? Activity.Current;
}
