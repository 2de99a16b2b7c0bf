using Microsoft.Extensions.Options;
using Tips.Api.Tests.Support;

namespace Tips.Api.Tests.Foundation;

public sealed class StartupValidationTests
{
    [Fact]
    public async Task Missing_signing_key_fails_at_start_naming_the_setting()
    {
        using var api = new TipsApiFactory("Host=127.0.0.1;Database=tips").With("Auth:SigningKey", null);

        var error = await api.StartupErrorAsync();

        Assert.Contains("Auth__SigningKey", error.Message);
    }

    [Fact]
    public async Task A_short_signing_key_fails_at_start()
    {
        using var api = new TipsApiFactory("Host=127.0.0.1;Database=tips").With("Auth:SigningKey", "short");

        var error = await api.StartupErrorAsync();

        Assert.Contains("32", error.Message);
    }

    [Fact]
    public async Task Missing_serving_key_fails_at_start_naming_the_setting()
    {
        using var api = new TipsApiFactory("Host=127.0.0.1;Database=tips").With("SERVING_API_KEY", null);

        var error = await api.StartupErrorAsync();

        Assert.Contains("SERVING_API_KEY", error.Message);
    }

    [Fact]
    public async Task Missing_connection_string_fails_at_start_naming_the_setting()
    {
        using var api = new TipsApiFactory("").With("ConnectionStrings:Tips", null);

        var error = await api.StartupErrorAsync();

        Assert.Contains("ConnectionStrings__Tips", error.Message);
    }
}
