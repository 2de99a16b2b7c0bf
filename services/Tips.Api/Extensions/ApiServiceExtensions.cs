using FluentValidation;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Polly;
using Refit;
using Tips.Api.Caching;
using Tips.Api.Clients.Todoist;
using Tips.Api.Data;
using Tips.Api.Features.Analytics;
using Tips.Api.Features.Bandit;
using Tips.Api.Features.Context;
using Tips.Api.Features.Feedback;
using Tips.Api.Features.Integrations;
using Tips.Api.Features.Recommendations;
using Tips.Contracts;
using Tips.ServiceDefaults;

namespace Tips.Api.Extensions;

/// <summary>Everything Tips.Api adds to the service defaults, in one place.</summary>
internal static class ApiServiceExtensions
{
    public static IHostApplicationBuilder AddTipsApi(this IHostApplicationBuilder builder)
    {
        builder.AddDatabase();
        AddMetrics(builder.Services);
        builder.AddTipsAuthentication();
        builder.AddEdgePolicies();
        AddTodoistAndContext(builder.Services);
        builder.AddRecommendations();
        AddAnalytics(builder.Services);
        return builder;
    }

    private static void AddDatabase(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DatabaseOptions>()
            .Configure<IConfiguration>((o, config) => o.ConnectionString = config.GetConnectionString("Tips"))
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConnectionString), DatabaseOptions.MissingMessage)
            .ValidateOnStart();

        // One pool of contexts: handlers take the scoped one; work that runs in parallel takes its own from the factory.
        services.AddPooledDbContextFactory<TipsDbContext>((sp, options) =>
            TipsDatabase.Configure(options, sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString!));
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<TipsDbContext>>().CreateDbContext());

        services.AddSingleton<IExceptionProblemMapper, DatabaseUnavailableMapper>();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ServiceDefaultsExtensions.ReadyTag]);

        // Keys live in Postgres: a restart or a second replica can still decrypt stored Todoist tokens.
        services.AddDataProtection()
            .SetApplicationName("tips")
            .PersistKeysToDbContext<TipsDbContext>();
    }

    /// <summary>The recommender's instruments, the token status gauge's counter, and Npgsql's spans and pool metrics.</summary>
    private static void AddMetrics(IServiceCollection services)
    {
        services.AddSingleton<TipsApiMetrics>();
        services.AddOptions<TokenStatusMetricsOptions>().BindConfiguration(TokenStatusMetricsOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<TokenStatusCounter>();
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddNpgsql());
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter("Npgsql"));
    }

    /// <summary>GET /tips (assemble → score → serve) and feedback.</summary>
    private static void AddRecommendations(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<BanditOptions>().BindConfiguration(BanditOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RecommendationOptions>().BindConfiguration(RecommendationOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.CandidateMaxAge >= o.CandidateTtl,
                "Recommendations__CandidateMaxAge must be at least Recommendations__CandidateTtl.")
            .ValidateOnStart();
        services.AddOptions<ServingOptions>()
            .Configure<IConfiguration>((o, config) =>
            {
                if (config["SERVING_URL"] is { Length: > 0 } url && Uri.TryCreate(url, UriKind.Absolute, out var uri))
                {
                    o.Url = uri;
                }
                o.ApiKey = config["SERVING_API_KEY"];
            })
            .Validate<IConfiguration>((_, config) => config["SERVING_URL"] is not { Length: > 0 } url || Uri.TryCreate(url, UriKind.Absolute, out var _),
                "SERVING_URL must be an absolute URL such as http://127.0.0.1:5081.")
            .Validate(o => o.ApiKey?.Length >= 16, ServingOptions.MissingKeyMessage)
            .ValidateOnStart();

        services.AddSingleton<IRandomSource>(sp => new RandomSource(sp.GetRequiredService<IOptions<BanditOptions>>().Value.Seed));
        services.AddSingleton<BanditStore>();
        services.AddSingleton<LlmCandidates>();
        services.AddSingleton(sp => new ExpiringCache<string, ScoringState>(
            sp.GetRequiredService<IOptions<RecommendationOptions>>().Value.StateCacheFor, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<KeptPools>();
        services.AddSingleton<TipLog>();
        services.AddHostedService(sp => sp.GetRequiredService<TipLog>());
        services.AddScoped<TipsRecommender>();
        services.AddSingleton<FeedbackRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<FeedbackRecorder>());
        // Stateless, and costly to build (its rules are made in the constructor): one for the process, as for the others.
        services.AddSingleton<IValidator<FeedbackRequest>, FeedbackRequestValidator>();

        // Tips.Serving retries the gateway itself, so this client never retries: it only stops calling for a while
        // when Serving keeps failing, so that requests skip the LLM at once instead of each waiting for the deadline.
        services.AddRefitGeneratedClient<IServingApi>(new RefitSettings { ContentSerializer = new SystemTextJsonContentSerializer(TipsJson.Options) })
            .ConfigureHttpClient((sp, http) =>
            {
                var serving = sp.GetRequiredService<IOptions<ServingOptions>>().Value;
                http.BaseAddress = serving.Url;
                http.Timeout = Timeout.InfiniteTimeSpan;
                http.DefaultRequestHeaders.Add(ServingOptions.KeyHeader, serving.ApiKey);
            })
            .AddResilienceHandler("serving", pipeline => pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = 0.8,
                MinimumThroughput = 10,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(10),
            }));
        services.AddHealthChecks().AddCheck<ServingHealthCheck>("serving", tags: [ServiceDefaultsExtensions.ReadyTag]);
    }

    /// <summary>GET /admin/reward-analytics: the analysts' grouped rewards, read through the analytics views.</summary>
    private static void AddAnalytics(IServiceCollection services)
    {
        services.AddScoped<RewardAnalytics>();
        services.AddSingleton<IValidator<RewardAnalyticsRequest>, RewardAnalyticsRequestValidator>();
    }

    /// <summary>Todoist (client, token storage, <c>/integrations</c>) and the context assembler of Stage 1.</summary>
    private static void AddTodoistAndContext(IServiceCollection services)
    {
        services.AddTodoistClient();
        services.AddSingleton<TodoistTokenProtector>();
        services.AddSingleton<IValidator<TodoistTokenRequest>, TodoistTokenRequestValidator>();
        services.AddScoped<TodoistConnections>();

        services.AddOptions<ContextOptions>()
            .BindConfiguration(ContextOptions.Section)
            .Validate(o => o.MaxTasks is >= 1 and <= 200, ContextOptions.MaxTasksMessage)
            .Validate(o => o.CacheFor >= TimeSpan.Zero && o.CacheFor <= TimeSpan.FromMinutes(10), ContextOptions.CacheForMessage)
            .ValidateOnStart();
        services.AddSingleton<ContextCache>();
        services.AddScoped<TodoistTaskSource>();
        services.AddScoped<IContextAssembler, ContextAssembler>();
    }
}

internal sealed class DatabaseOptions
{
    public const string MissingMessage =
        "ConnectionStrings__Tips is not set. Give the Postgres connection string, e.g. " +
        "ConnectionStrings__Tips=\"Host=127.0.0.1;Port=55432;Database=tips;Username=tips;Password=…\".";

    public string? ConnectionString { get; set; }
}
