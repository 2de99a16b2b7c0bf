using FluentValidation;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tips.Api.Clients.Todoist;
using Tips.Api.Data;
using Tips.Api.Features.Context;
using Tips.Api.Features.Integrations;
using Tips.Contracts;
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
        services.AddExceptionHandler<DatabaseUnavailableHandler>();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ServiceDefaultsExtensions.ReadyTag]);

        // Keys live in Postgres: a restart or a second replica can still decrypt stored Todoist tokens.
        services.AddDataProtection()
            .SetApplicationName("tips")
            .PersistKeysToDbContext<TipsDbContext>();

        builder.AddTipsAuthentication();
        AddTodoistAndContext(services);
        return builder;
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
            .ValidateOnStart();
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
