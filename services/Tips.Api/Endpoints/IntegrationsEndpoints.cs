using Microsoft.AspNetCore.Http.HttpResults;

namespace Tips.Api.Endpoints;

internal static class IntegrationsEndpoints
{
    public static IEndpointRouteBuilder MapIntegrationsEndpoints(this IEndpointRouteBuilder app)
    {
        var integrations = app.MapGroup("/integrations").WithTags("Integrations").RequireAuthorization();

        integrations.MapGet("/", GetIntegrations)
            .WithName("GetIntegrations")
            .WithSummary("The caller's connected providers and the status of their tokens.");

        return app;
    }

    private static ProblemHttpResult GetIntegrations() => TypedResults.Problem(
        statusCode: StatusCodes.Status501NotImplemented,
        type: Tips.ServiceDefaults.ProblemTypes.NotImplemented,
        title: "Not implemented",
        detail: "GET /integrations is not available yet.");
}
