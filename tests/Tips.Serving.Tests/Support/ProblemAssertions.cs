using System.Net;
using System.Text.Json;

namespace Tips.Serving.Tests.Support;

public static class ProblemAssertions
{
    /// <summary>
    /// Asserts a problem+json answer with <paramref name="status"/>, stable <paramref name="type"/> and the number of
    /// model calls made, and returns its body.
    /// </summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string type, int? attempts = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Equal(type, problem.GetProperty("type").GetString());
        Assert.True(problem.TryGetProperty("title", out _), "problem+json has a title");
        if (attempts is { } expected)
        {
            Assert.Equal(expected, problem.GetProperty("attempts").GetInt32());
        }
        return problem;
    }
}
