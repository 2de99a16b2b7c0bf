using Microsoft.Extensions.Options;
using Tips.Api.Tests.Support;

namespace Tips.Api.Tests.Foundation;

public sealed class StartupValidationTests
{
    [Fact]
    public void Missing_signing_key_fails_at_start_naming_the_setting()
    {
        using var api = new TipsApiFactory("Host=127.0.0.1;Database=tips").With("Auth:SigningKey", null);

        var error = Assert.ThrowsAny<OptionsValidationException>(() => api.CreateClient());

        Assert.Contains("Auth__SigningKey", error.Message);
    }

    [Fact]
    public void A_short_signing_key_fails_at_start()
    {
        using var api = new TipsApiFactory("Host=127.0.0.1;Database=tips").With("Auth:SigningKey", "short");

        var error = Assert.ThrowsAny<OptionsValidationException>(() => api.CreateClient());

        Assert.Contains("32", error.Message);
    }

    [Fact]
    public void Missing_connection_string_fails_at_start_naming_the_setting()
    {
        using var api = new TipsApiFactory("").With("ConnectionStrings:Tips", null);

        var error = Assert.ThrowsAny<OptionsValidationException>(() => api.CreateClient());

        Assert.Contains("ConnectionStrings__Tips", error.Message);
    }
}
