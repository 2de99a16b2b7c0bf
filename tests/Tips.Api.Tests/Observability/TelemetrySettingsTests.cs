using Tips.Api.Tests.Support;

namespace Tips.Api.Tests.Observability;

/// <summary>Bad telemetry settings stop the start with a message naming the variable.</summary>
public sealed class TelemetrySettingsTests
{
    [Theory]
    [InlineData("Metrics:Port", "0", "Metrics__Port")]
    [InlineData("Metrics:Port", "70000", "Metrics__Port")]
    [InlineData("Metrics:TokenStatusRefresh", "00:00:00", "Metrics__TokenStatusRefresh")]
    [InlineData("Metrics:TokenStatusRefresh", "02:00:00", "Metrics__TokenStatusRefresh")]
    public async Task A_bad_setting_fails_at_start_naming_the_variable(string key, string value, string named)
    {
        using var api = new TipsApiFactory("Host=127.0.0.1;Database=tips").With(key, value);

        var error = await api.StartupErrorAsync();

        Assert.Contains(named, error.Message);
    }
}
