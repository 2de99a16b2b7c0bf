using System.Security.Cryptography;
using Tips.Bench.Options;
using Tips.Bench.Seeding;
using Tips.TestSupport.FakeGateway;
using Tips.TestSupport.FakeTodoist;

namespace Tips.Bench.Stack;

/// <summary>
/// Everything a run measures, on loopback: Postgres (migrated), the fake gateway and fake Todoist (in this process,
/// keeping no request history), Tips.Serving and Tips.Api as child processes of the chosen build. Disposing stops it
/// all, in reverse order, whatever state the start reached.
/// </summary>
internal sealed class BenchStack : IAsyncDisposable
{
    private BenchStack(string logDirectory) => LogDirectory = logDirectory;

    public string LogDirectory { get; }

    public BenchDatabase Database { get; private set; } = null!;

    public PostgresInfo Postgres { get; private set; } = null!;

    public FakeLlmGateway Gateway { get; private set; } = null!;

    public FakeTodoistServer Todoist { get; private set; } = null!;

    public ServiceProcess Serving { get; private set; } = null!;

    public ServiceProcess Api { get; private set; } = null!;

    public ServiceSettings ApiSettings { get; private set; } = null!;

    public ServiceSettings ServingSettings { get; private set; } = null!;

    public Uri ApiMetrics { get; private set; } = null!;

    public Uri ServingMetrics { get; private set; } = null!;

    public TokenMinter Tokens { get; private set; } = null!;

    public static async Task<BenchStack> StartAsync(BenchOptions options, ServiceBuild build, string logDirectory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(logDirectory);
        var stack = new BenchStack(logDirectory);
        try
        {
            await stack.StartAllAsync(options, build, cancellationToken);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    private async Task StartAllAsync(BenchOptions options, ServiceBuild build, CancellationToken cancellationToken)
    {
        Progress.Step("Starting Postgres and migrating with the checkout's migrator");
        Database = await BenchDatabase.CreateAsync(cancellationToken);
        await Database.MigrateAsync(build, Path.Combine(LogDirectory, "migrate.log"), cancellationToken);
        Postgres = await Database.DescribeAsync(cancellationToken);
        Progress.Say($"{Postgres.Source}; PostgreSQL {Postgres.Version}, fsync={Postgres.Fsync}, synchronous_commit={Postgres.SynchronousCommit}");

        Progress.Step("Starting the fake gateway and the fake Todoist");
        Gateway = await FakeLlmGateway.StartAsync();
        Gateway.RecordRequests = false;
        Gateway.DefaultReply = LlmReplies.Default;
        Gateway.Latency = options.GatewayLatency;
        Todoist = await FakeTodoistServer.StartAsync();
        Todoist.RecordRequests = false;

        var servingKey = Secret();
        var signingKey = Secret();
        var servingUrl = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var apiUrl = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var servingMetricsPort = FreePort.Next();
        var apiMetricsPort = FreePort.Next();

        ServingSettings = ServiceSettings.ForServing(build.ServingDll, Gateway.Url, Gateway.MasterKey, servingKey, servingMetricsPort,
            options.ServingSettings);
        ApiSettings = ServiceSettings.ForApi(build.ApiDll, Database.ConnectionString, signingKey, servingKey, servingUrl,
            Todoist.ApiUrl, apiMetricsPort, options.ApiSettings);
        ServingMetrics = new Uri($"http://127.0.0.1:{ServingSettings.IntSetting("Metrics:Port") ?? servingMetricsPort}/metrics");
        ApiMetrics = new Uri($"http://127.0.0.1:{ApiSettings.IntSetting("Metrics:Port") ?? apiMetricsPort}/metrics");
        Tokens = new TokenMinter(
            ApiSettings.StringSetting("Auth:SigningKey", signingKey),
            ApiSettings.StringSetting("Auth:Issuer", "tips-dev"),
            ApiSettings.StringSetting("Auth:Audience", "tips-api"),
            TimeProvider.System);

        Progress.Step($"Starting Tips.Serving and Tips.Api from {build.Root} ({build.Commit})");
        Serving = ServiceProcess.Start("Tips.Serving", build.ServingDll, servingUrl, ServingSettings.Environment,
            Path.Combine(LogDirectory, "serving.log"));
        Api = ServiceProcess.Start("Tips.Api", build.ApiDll, apiUrl, ApiSettings.Environment, Path.Combine(LogDirectory, "api.log"));
        using var probe = new HttpClient();
        await Serving.WaitReadyAsync(probe, TimeSpan.FromSeconds(60), cancellationToken);
        await Api.WaitReadyAsync(probe, TimeSpan.FromSeconds(60), cancellationToken);
        Progress.Say($"Tips.Api {Api.Url} (pid {Api.Pid}), Tips.Serving {Serving.Url} (pid {Serving.Pid}); logs in {LogDirectory}");
    }

    /// <summary>Fails the run when a service died mid-way (its log's tail says why).</summary>
    public void EnsureServicesRunning()
    {
        foreach (var service in new[] { Api, Serving })
        {
            if (service.HasExited)
            {
                throw new BenchSetupException($"{service.Name} exited during the run. Its log ({service.LogPath}) ends:\n{service.LogTail(30)}");
            }
        }
    }

    private static string Secret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public async ValueTask DisposeAsync()
    {
        foreach (var service in new[] { Api, Serving })
        {
            if (service is not null)
            {
                await service.DisposeAsync();
            }
        }
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }
        if (Todoist is not null)
        {
            await Todoist.DisposeAsync();
        }
        if (Database is not null)
        {
            await Database.DropAsync();
        }
    }
}
