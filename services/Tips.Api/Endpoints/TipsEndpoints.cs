using Microsoft.AspNetCore.Http.HttpResults;
using Tips.ServiceDefaults;

namespace Tips.Api.Endpoints;

internal static class TipsEndpoints
{
    public static IEndpointRouteBuilder MapTipsEndpoints(this IEndpointRouteBuilder app)
    {
        var tips = app.MapGroup("/tips").WithTags("Tips").RequireAuthorization();

        tips.MapGet("/", GetTips)
            .WithName("GetTips")
            .WithSummary("The next tip(s) for the caller, through assemble → score → serve.");

        return app;
    }

    private static ProblemHttpResult GetTips() => NotImplementedYet("GET /tips");

    internal static ProblemHttpResult NotImplementedYet(string what) => TypedResults.Problem(
        statusCode: StatusCodes.Status501NotImplemented,
        type: ProblemTypes.NotImplemented,
        title: "Not implemented",
        detail: $"{what} is not available yet.");
}
