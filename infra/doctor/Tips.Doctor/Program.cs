namespace Tips.Doctor;

/// <summary>
/// <c>./tips doctor [--json]</c>: checks the local Postgres, the LLM gateway, Todoist reachability and both services,
/// and explains each failure with a fix. Exit code 0 only when every check passes; 1 when one fails; 2 when its own
/// settings are wrong. Settings: Tips.Serving's appsettings.json and the environment (see docs/operations.md).
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Any(a => a is "-h" or "--help"))
        {
            Console.WriteLine("usage: tips doctor [--json]   check Postgres, the LLM gateway, Todoist and both services (docs/operations.md)");
            return Doctor.AllPassed;
        }
        if (args.FirstOrDefault(a => a != "--json") is { } unknown)
        {
            await Console.Error.WriteLineAsync($"tips doctor: unknown argument '{unknown}' (usage: tips doctor [--json])");
            return Doctor.BadSettings;
        }

        var configuration = new ConfigurationBuilder()
            // Tips.Serving's settings file, copied beside the doctor at build time: the same Gateway section it reads.
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "serving.appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .Build();

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        try
        {
            return await Doctor.RunAsync(configuration, args.Contains("--json"), Console.Out, TimeProvider.System, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return Doctor.SomeFailed;
        }
    }
}
