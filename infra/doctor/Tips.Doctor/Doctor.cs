using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Tips.Doctor.Checks;
using Tips.Serving.Llm;

namespace Tips.Doctor;

/// <summary>Runs every check and reports them; the exit code is 0 only when all pass.</summary>
internal static class Doctor
{
    public const int AllPassed = 0;
    public const int SomeFailed = 1;
    public const int BadSettings = 2;

    public static async Task<int> RunAsync(IConfiguration configuration, bool json, TextWriter output, TimeProvider time, CancellationToken cancellationToken)
    {
        GatewayOptions gateway;
        DoctorOptions doctor;
        using (var services = Settings(configuration))
        {
            try
            {
                gateway = services.GetRequiredService<IOptions<GatewayOptions>>().Value;
                doctor = services.GetRequiredService<IOptions<DoctorOptions>>().Value;
            }
            catch (OptionsValidationException e)
            {
                await output.WriteLineAsync(json
                    ? Report.Json(new DoctorReport(false, 0, 0, 0, e.Failures.ToList(), []))
                    : "tips doctor: cannot run: " + string.Join(" ", e.Failures));
                return BadSettings;
            }
        }

        var connectionString = configuration.GetConnectionString("Tips");
        using var handler = new SocketsHttpHandler { ConnectTimeout = doctor.Timeout, PooledConnectionLifetime = TimeSpan.FromMinutes(1) };
        using var http = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

        // The groups are independent: run them side by side, report them in a fixed order.
        var postgres = new PostgresChecks(connectionString, doctor, time).RunAsync(cancellationToken);
        var llm = new GatewayChecks(http, gateway, doctor, time).RunAsync(cancellationToken);
        var todoist = new TodoistCheck(http, doctor, time).RunAsync(cancellationToken);
        var readiness = new ReadinessCheck(http, doctor, time);
        var serving = readiness.ServingAsync(cancellationToken);
        var api = readiness.ApiAsync(cancellationToken);

        List<CheckResult> results = [.. await postgres, .. await llm, await todoist, await serving, await api];
        var report = DoctorReport.Of(Redacted(results, gateway.MasterKey, PasswordOf(connectionString)));
        await output.WriteAsync(json ? Report.Json(report) + Environment.NewLine : Report.Text(report, gateway));
        return report.Ok ? AllPassed : SomeFailed;
    }

    private static ServiceProvider Settings(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        // Tips.Serving's own composition of its gateway settings: the doctor sees what the service sees.
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section);
        services.AddSingleton<IConfigureOptions<GatewayOptions>, GatewayEnvironment>();
        services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        services.AddOptions<DoctorOptions>().BindConfiguration(DoctorOptions.Section);
        services.AddSingleton<IConfigureOptions<DoctorOptions>, DoctorEnvironment>();
        services.AddSingleton<IValidateOptions<DoctorOptions>, DoctorOptionsValidator>();
        return services.BuildServiceProvider();
    }

    private static string? PasswordOf(string? connectionString)
    {
        try
        {
            return connectionString is null ? null : new NpgsqlConnectionStringBuilder(connectionString).Password;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Whatever a peer echoed, the key and the password never reach the report.</summary>
    private static List<CheckResult> Redacted(List<CheckResult> results, params string?[] secrets)
    {
        var hidden = secrets.Where(s => s is { Length: >= 4 }).Select(s => s!).ToList();
        string Hide(string text) => hidden.Aggregate(text, (t, secret) => t.Replace(secret, "***", StringComparison.Ordinal));
        return
        [
            .. results.Select(r => r with
            {
                Summary = Hide(r.Summary),
                Fix = r.Fix is null ? null : Hide(r.Fix),
                Details = r.Details.ToDictionary(d => d.Key, d => Hide(d.Value)),
            }),
        ];
    }
}
