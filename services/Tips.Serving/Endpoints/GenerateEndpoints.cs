using Microsoft.AspNetCore.Http.HttpResults;
using Tips.ServiceDefaults;

namespace Tips.Serving.Endpoints;

internal static class GenerateEndpoints
{
    public static IEndpointRouteBuilder MapGenerateEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/generate", Generate)
            .WithName("Generate")
            .WithTags("Generate")
            .WithSummary("Tip candidates from the LLM gateway for one person's context.");
        return app;
    }

    private static ProblemHttpResult Generate() => TypedResults.Problem(
        statusCode: StatusCodes.Status501NotImplemented,
        type: ProblemTypes.NotImplemented,
        title: "Not implemented",
        detail: "POST /generate is not available yet.");
}
