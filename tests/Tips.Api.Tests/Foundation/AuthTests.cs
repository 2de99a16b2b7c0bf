using System.Net;
using Tips.Api.Tests.Support;

namespace Tips.Api.Tests.Foundation;

public sealed class AuthTests : ApiTest
{
    public static TheoryData<string, string> UserEndpoints => new()
    {
        { "GET", "/tips" },
        { "GET", "/integrations" },
    };

    [Theory]
    [MemberData(nameof(UserEndpoints))]
    public async Task No_token_is_401_problem_json(string method, string path)
    {
        var response = await Api.CreateClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains("Authorization: Bearer", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_401_invalid_token()
    {
        var client = Api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.For("ana", key: "another-key-that-is-long-enough-0123456789"));

        var response = await client.GetAsync("/tips");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task An_expired_token_is_401()
    {
        var client = Api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.For("ana", lifetime: TimeSpan.FromMinutes(-10)));

        var response = await client.GetAsync("/tips");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_token_for_another_audience_is_401()
    {
        var client = Api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.For("ana", audience: "someone-else"));

        var response = await client.GetAsync("/tips");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_token_without_sub_is_refused()
    {
        var client = Api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestTokens.For(user: null));

        var response = await client.GetAsync("/integrations");

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden });
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_valid_token_gets_past_authentication()
    {
        var response = await Api.ClientFor("ana").GetAsync("/integrations");

        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
