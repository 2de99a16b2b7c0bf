using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.OpenApi;
using Tips.Contracts;

namespace Tips.ServiceDefaults;

/// <summary>Wiring every Tips service shares. A service calls these three and adds only its own parts.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Health checks tagged with this take part in <c>/health/ready</c>.</summary>
    public const string ReadyTag = "ready";

    /// <summary>The member of every problem+json body that names the request's trace.</summary>
    public const string TraceIdMember = "trace_id";

    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder, string title)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);

        if (builder.Configuration["Logging:Console:FormatterName"] is null)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }

        services.ConfigureHttpJsonOptions(o => TipsJson.Configure(o.SerializerOptions));
        // Swashbuckle describes schemas with the MVC options; keep them identical to the wire.
        services.Configure<Microsoft.AspNetCore.Mvc.JsonOptions>(o => TipsJson.Configure(o.JsonSerializerOptions));
        // Bad JSON or a bad query value becomes a BadHttpRequestException that the exception handler turns into
        // a 400 naming the field, instead of an empty 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            ctx.ProblemDetails.Instance ??= $"{ctx.HttpContext.Request.Method} {ctx.HttpContext.Request.Path}";
            // The W3C trace id of the request (the same as in traceresponse and in the traces), not the framework's
            // own traceId, which holds a span as well and a shape no trace search takes.
            ctx.ProblemDetails.Extensions.Remove("traceId");
            ctx.ProblemDetails.Extensions[TraceIdMember] = Telemetry.TraceId(ctx.HttpContext) ?? ctx.HttpContext.TraceIdentifier;
            Telemetry.SetTraceResponse(ctx.HttpContext);
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();

        services.AddHealthChecks();
        WireValidatorNames.Use();
        builder.AddTelemetry();

        services.AddOptions<HttpLimitsOptions>().BindConfiguration(HttpLimitsOptions.Section)
            .Validate(o => o.MaxRequestBodyBytes is >= 1024 and <= 100 * 1024 * 1024,
                "Http__MaxRequestBodyBytes must be within 1 KiB..100 MiB.")
            .ValidateOnStart();

        // IHttpClientFactory's request logs keep every request header in their structured state, bearer tokens and
        // keys included: no client gets them. Outgoing calls are visible in traces instead.
        services.ConfigureHttpClientDefaults(http => http.RemoveAllLoggers());

        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo { Title = title, Version = "v1" });
            o.SchemaFilter<ContractExamples>();
        });
        return builder;
    }

    /// <summary>The trace response header, error handling and the OpenAPI UI; call first on the built app.</summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseTraceResponse();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseHttpHardening();
        // Only requests under /swagger pass through the OpenAPI middleware: every other request skips its path checks.
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/swagger"), swagger =>
        {
            swagger.UseSwagger();
            swagger.UseSwaggerUI();
        });
        return app;
    }

    /// <summary><c>/health/live</c> (the process answers), <c>/health/ready</c> (checks tagged ready), and
    /// <c>/metrics</c> on the management port when <c>Metrics__Port</c> is set.</summary>
    public static IEndpointRouteBuilder MapDefaultEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapScrapeEndpoint();
        var health = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        health.MapHealthChecks("/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealth });
        health.MapHealthChecks("/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteHealth,
        });
        return app;
    }

    private static Task WriteHealth(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        var body = new Dictionary<string, object?>
        {
            ["status"] = Lower(report.Status),
            ["checks"] = report.Entries.ToDictionary(
                e => e.Key,
                e => new Dictionary<string, object?>
                {
                    ["status"] = Lower(e.Value.Status),
                    ["description"] = e.Value.Description,
                    ["duration_ms"] = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, HealthJson, context.RequestAborted);
    }

    private static string Lower(HealthStatus status) => status.ToString().ToLowerInvariant();

    private static readonly JsonSerializerOptions HealthJson = new(JsonSerializerDefaults.Web);
}
