using System.ClientModel;
using System.ClientModel.Primitives;
using FluentValidation;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenTelemetry.Instrumentation.Http;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Polly.Telemetry;
using Tips.Contracts;
using Tips.ServiceDefaults;
using Tips.Serving.Endpoints;
using Tips.Serving.Llm;
using Tips.Serving.Prompts;

namespace Tips.Serving.Extensions;

/// <summary>Everything Tips.Serving adds to the service defaults, in one place.</summary>
internal static class ServingServiceExtensions
{
    /// <summary>The named HTTP client of model calls: resilience handler (the one retrying layer), then header reader.</summary>
    public const string GatewayHttpClient = "gateway";

    public static IHostApplicationBuilder AddTipsServing(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;

        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateOnStart();
        services.AddSingleton<IConfigureOptions<GatewayOptions>, GatewayEnvironment>();
        services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();

        services.AddSingleton(PromptLibrary.LoadEmbedded());
        services.AddOptions<PromptOptions>().BindConfiguration(PromptOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PromptOptions>, PromptOptionsValidator>();

        services.AddSingleton<IValidator<GenerateRequest>, GenerateRequestValidator>();
        services.AddOptions<ServingAccessOptions>()
            .Configure<IConfiguration>((o, config) => o.ApiKey = config[ServingAccessOptions.Variable])
            .Validate(o => o.ApiKey?.Length >= ServingAccessOptions.MinLength, ServingAccessOptions.MissingMessage)
            .ValidateOnStart();
        services.AddSingleton<ServingKeyFilter>();

        services.AddTransient<GatewayHeadersHandler>();
        var gatewayClient = services.AddHttpClient(GatewayHttpClient, http => http.Timeout = Timeout.InfiniteTimeSpan)
            // The chat client lives as long as the app: recycle pooled connections so DNS changes are seen.
            .UseSocketsHttpHandler((handler, _) => handler.PooledConnectionLifetime = TimeSpan.FromMinutes(5))
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        gatewayClient.AddResilienceHandler("gateway-retry", (pipeline, context) => GatewayRetry.Configure(
            pipeline,
            context.ServiceProvider.GetRequiredService<IOptions<GatewayOptions>>().Value,
            context.ServiceProvider.GetRequiredService<TimeProvider>()));
        // Added after the resilience handler, so it runs inside it and sees every HTTP try.
        gatewayClient.AddHttpMessageHandler<GatewayHeadersHandler>();
        // Each try of a down gateway would log a warning with a stack trace; ServingLog.GenerationFailed sums them up
        // in one line. The tries stay visible at Information (Logging__LogLevel__Polly=Information).
        services.Configure<TelemetryOptions>(telemetry => telemetry.SeverityProvider = args =>
            args.Event.EventName is "ExecutionAttempt" or "OnRetry" ? ResilienceEventSeverity.Information : args.Event.Severity);
        // Model info and the readiness probe: single tries with their own short timeouts.
        services.AddHttpClient(ModelCatalog.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(10));

        // gen_ai spans and metrics per model call (semantic conventions), never with the messages in them: they
        // hold people's tasks. The setting wins over OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT.
        services.AddChatClient(CreateChatClient)
            .UseLogging()
            .UseOpenTelemetry(sourceName: ServingMetrics.ChatTelemetryName, configure: otel => otel.EnableSensitiveData = false);
        services.AddSingleton<ServingMetrics>();
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(ServingMetrics.ChatTelemetryName));
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(ServingMetrics.ChatTelemetryName));
        services.Configure<HttpClientTraceInstrumentationOptions>(http =>
            http.EnrichWithHttpResponseMessage = GatewayHeadersHandler.EnrichHttpSpan);
        services.AddSingleton<ModelCatalog>();
        services.AddSingleton<TipGenerator>();
        services.AddHostedService<GatewayStartupReport>();

        services.AddHealthChecks()
            .AddCheck<GatewayHealthCheck>(GatewayHealthCheck.Name, tags: [ServiceDefaultsExtensions.ReadyTag]);
        return builder;
    }

    /// <summary>
    /// The OpenAI client pointed at the gateway's <c>/v1</c>, over the named client, with its own retries off
    /// (the resilience handler is the one layer that retries) and <see cref="GatewayOptions.AttemptTimeout"/>
    /// for each model call. Bound to the alias: which model answers is the gateway's choice.
    /// </summary>
    private static IChatClient CreateChatClient(IServiceProvider services)
    {
        var gateway = services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(GatewayHttpClient);
        var options = new OpenAIClientOptions
        {
            Endpoint = gateway.ApiUri,
            Transport = new HttpClientPipelineTransport(http),
            RetryPolicy = new ClientRetryPolicy(0),
            NetworkTimeout = gateway.AttemptTimeout,
        };
        // The client insists on a credential; without a key GatewayHeadersHandler removes the placeholder's header.
        var key = new ApiKeyCredential(gateway.HasMasterKey ? gateway.MasterKey! : GatewayHeadersHandler.NoKeyPlaceholder);
        return new OpenAIClient(key, options).GetChatClient(gateway.Alias).AsIChatClient();
    }

    /// <summary>Says at start where the gateway is, and warns when no key is set (the service still starts).</summary>
    private sealed class GatewayStartupReport(IOptions<GatewayOptions> options, ILogger<GatewayStartupReport> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var gateway = options.Value;
            ServingLog.GatewayConfigured(logger, gateway.BaseUri, gateway.Alias, gateway.AttemptTimeout, gateway.Deadline);
            if (!gateway.HasMasterKey)
            {
                ServingLog.NoMasterKey(logger);
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
