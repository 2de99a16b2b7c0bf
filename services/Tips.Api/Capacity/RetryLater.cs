using System.Globalization;

namespace Tips.Api.Capacity;

/// <summary>A refusal at the edge that the caller may retry: problem+json with <c>Retry-After</c>, in whole seconds.</summary>
internal static class RetryLater
{
    /// <param name="detail">The sentence before "try again in N s."</param>
    public static IResult Problem(HttpContext http, int status, string type, string title, string detail, TimeSpan wait)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: status, type: type, title: title, detail: $"{detail}: try again in {seconds} s.");
    }
}
