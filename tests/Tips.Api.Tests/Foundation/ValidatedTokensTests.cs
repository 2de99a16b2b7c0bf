using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Tips.Api.Extensions;
using Tips.Api.Tests.Support;
using Tips.TestSupport;

namespace Tips.Api.Tests.Foundation;

/// <summary>A validated token passes again without another validation, only as the exact text that passed, and only
/// until it expires or <c>Auth:ValidatedTokensFor</c> has gone by.</summary>
public sealed class ValidatedTokensTests : ApiTest
{
    [Fact]
    public async Task A_token_is_validated_once_then_again_only_after_the_kept_time()
    {
        var validations = new CountingTokenHandler();
        await using var api = Counting(validations);
        var client = ClientWith(api, TestTokens.For("ana"));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/integrations")).StatusCode);
        }
        Assert.Equal(1, validations.Count);

        Api.Time.Advance(new AuthOptions().ValidatedTokensFor + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/integrations")).StatusCode);
        Assert.Equal(2, validations.Count);
    }

    [Fact]
    public async Task A_kept_tokens_text_changed_in_its_signature_is_validated_and_refused()
    {
        var validations = new CountingTokenHandler();
        await using var api = Counting(validations);
        var token = TestTokens.For("ana");
        Assert.Equal(HttpStatusCode.OK, (await ClientWith(api, token).GetAsync("/integrations")).StatusCode);

        var forged = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];
        var response = await ClientWith(api, forged).GetAsync("/integrations");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(2, validations.Count);
    }

    [Fact]
    public async Task Each_token_is_kept_for_itself()
    {
        var validations = new CountingTokenHandler();
        await using var api = Counting(validations);

        string ana = TestTokens.For("ana"), ben = TestTokens.For("ben");

        foreach (var token in new[] { ana, ben, ana, ben })
        {
            Assert.Equal(HttpStatusCode.OK, (await ClientWith(api, token).GetAsync("/integrations")).StatusCode);
        }

        Assert.Equal(2, validations.Count);
    }

    [Fact]
    public async Task With_no_kept_time_every_request_is_validated()
    {
        var validations = new CountingTokenHandler();
        Api.With("Auth:ValidatedTokensFor", "00:00:00");
        await using var api = Counting(validations);
        var client = ClientWith(api, TestTokens.For("ana"));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/integrations")).StatusCode);
        }
        Assert.Equal(3, validations.Count);
    }

    [Fact]
    public void A_kept_token_passes_no_later_than_it_expires()
    {
        var clock = new TestClock(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero));
        var tokens = new ValidatedTokens(Options.Create(new AuthOptions()), clock);
        var token = TestTokens.For("ana", lifetime: TimeSpan.FromMinutes(1), now: clock.GetUtcNow());
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "ana")], "Bearer"));

        tokens.Keep(token, principal, new JsonWebToken(token));
        Assert.True(tokens.TryGet(token, out var kept));
        Assert.Same(principal, kept);

        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.False(tokens.TryGet(token, out _));
    }

    private WebApplicationFactory<Program> Counting(CountingTokenHandler validations) =>
        Api.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
            services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o =>
            {
                o.TokenHandlers.Clear();
                o.TokenHandlers.Add(validations);
            })));

    private static HttpClient ClientWith(WebApplicationFactory<Program> api, string token)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private sealed class CountingTokenHandler : JsonWebTokenHandler
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
        {
            Interlocked.Increment(ref _count);
            return base.ValidateTokenAsync(token, validationParameters);
        }
    }
}
