using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tips.Api.Data;
using Tips.Api.Features.Analytics;
using Tips.ServiceDefaults;

namespace Tips.Api.Extensions;

/// <summary>Everything Tips.Api adds to the service defaults, in one place.</summary>
internal static class ApiServiceExtensions
{
    public static IHostApplicationBuilder AddTipsApi(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;

        services.AddOptions<DatabaseOptions>()
            .Configure<IConfiguration>((o, config) => o.ConnectionString = config.GetConnectionString("Tips"))
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConnectionString), DatabaseOptions.MissingMessage)
            .ValidateOnStart();
        services.AddDbContextPool<TipsDbContext>((sp, options) =>
            TipsDatabase.Configure(options, sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString!));
        // Exception handlers run in registration order, and the service defaults' catch-all (a 500) came first.
        services.Insert(0, ServiceDescriptor.Singleton<IExceptionHandler, DatabaseUnavailableHandler>());
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ServiceDefaultsExtensions.ReadyTag]);

        // Keys live in Postgres: a restart or a second replica can still decrypt stored Todoist tokens.
        services.AddDataProtection()
            .SetApplicationName("tips")
            .PersistKeysToDbContext<TipsDbContext>();

        services.AddScoped<RewardAnalytics>();
        services.AddSingleton<IValidator<RewardAnalyticsRequest>, RewardAnalyticsRequestValidator>();

        builder.AddTipsAuthentication();
        return builder;
    }
}

internal sealed class DatabaseOptions
{
    public const string MissingMessage =
        "ConnectionStrings__Tips is not set. Give the Postgres connection string, e.g. " +
        "ConnectionStrings__Tips=\"Host=127.0.0.1;Port=55432;Database=tips;Username=tips;Password=…\".";

    public string? ConnectionString { get; set; }
}
