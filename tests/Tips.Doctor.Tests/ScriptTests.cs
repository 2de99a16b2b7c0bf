using System.Diagnostics;
using System.Text.Json;
using Tips.Doctor.Tests.Support;
using Tips.TestSupport;

namespace Tips.Doctor.Tests;

/// <summary>
/// <c>./tips doctor</c> as an operator runs it: the script (which builds the doctor when its build is stale) with the
/// documented environment variables, against the fakes and a real migrated database.
/// </summary>
public sealed class ScriptTests
{
    [Fact]
    public async Task Tips_doctor_json_passes_every_check_of_a_healthy_system_and_exits_0()
    {
        await using var world = await DoctorWorld.StartAsync();

        var (exit, stdout, stderr) = await RunScriptAsync(world, "doctor", "--json");

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        using var report = JsonDocument.Parse(stdout);
        Assert.True(report.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(10, report.RootElement.GetProperty("passed").GetInt32());
        Assert.All(report.RootElement.GetProperty("checks").EnumerateArray(), c => Assert.Equal("pass", c.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Tips_doctor_exits_1_and_explains_a_gateway_that_is_down()
    {
        await using var world = await DoctorWorld.StartAsync();
        world.Variables["LITELLM_URL"] = ClosedPort.Url().ToString();

        var (exit, stdout, stderr) = await RunScriptAsync(world, "doctor");

        Assert.True(exit == 1, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains("FAIL  Gateway alive", stdout);
        Assert.Contains("fix:", stdout);
        Assert.Contains("1 of 10 checks failed and 4 were skipped", stdout);
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunScriptAsync(DoctorWorld world, params string[] args)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Repository.Root,
        };
        start.ArgumentList.Add(Repository.Path("tips"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (name, value) in world.Variables)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // Only a guard against a hang (a first run may build the doctor); nothing here is timed.
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"./tips {string.Join(' ', args)} did not finish:\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
