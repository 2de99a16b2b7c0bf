using System.Net;
using System.Text.Json;
using Tips.Api.Tests.Support;

namespace Tips.Api.Tests.Foundation;

public sealed class HealthAndDocsTests : ApiTest
{
    [Fact]
    public async Task Live_answers_without_a_token()
    {
        var response = await Api.CreateClient().GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Ready_reports_the_database_as_healthy()
    {
        var response = await Api.CreateClient().GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_is_503_when_the_database_is_unreachable()
    {
        await using var api = new TipsApiFactory("Host=127.0.0.1;Port=1;Database=tips;Username=tips;Timeout=2");

        var response = await api.CreateClient().GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("unhealthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Swagger_describes_the_api_with_bearer_auth()
    {
        var client = Api.CreateClient();

        var document = JsonDocument.Parse(await client.GetStringAsync("/swagger/v1/swagger.json")).RootElement;
        var ui = await client.GetAsync("/swagger/index.html");

        Assert.True(document.GetProperty("paths").TryGetProperty("/tips", out _));
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes")
            .GetProperty("Bearer").GetProperty("scheme").GetString());
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
    }

    [Fact]
    public async Task Swagger_shows_every_request_and_response_shape_with_an_example()
    {
        var document = JsonDocument.Parse(await Api.CreateClient().GetStringAsync("/swagger/v1/swagger.json")).RootElement;
        var schemas = document.GetProperty("components").GetProperty("schemas");

        foreach (var name in new[] { "TipsResponse", "Tip", "FeedbackRequest", "FeedbackResponse" })
        {
            Assert.True(schemas.TryGetProperty(name, out var schema), $"schema {name}");
            var example = schema.TryGetProperty("example", out var e) ? e : schema.GetProperty("examples")[0];
            Assert.Equal(JsonValueKind.Object, example.ValueKind);
        }
        var feedback = document.GetProperty("paths").GetProperty("/tips/{id}/feedback").GetProperty("post");
        Assert.True(feedback.GetProperty("responses").TryGetProperty("200", out _));
        Assert.True(feedback.GetProperty("responses").TryGetProperty("400", out _));
        Assert.Equal("dwell_ms", schemas.GetProperty("FeedbackRequest").GetProperty("properties").EnumerateObject().Last().Name);
    }

    [Fact]
    public async Task An_unknown_path_is_a_problem_json_404()
    {
        var response = await Api.ClientFor("ana").GetAsync("/no-such-thing");

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }
}
