using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tips.Api.Extensions;
using Tips.Api.Features.Integrations;
using Tips.Contracts;
using Tips.ServiceDefaults;

namespace Tips.Api.Endpoints;

internal static class IntegrationsEndpoints
{
    public static IEndpointRouteBuilder MapIntegrationsEndpoints(this IEndpointRouteBuilder app)
    {
        var integrations = app.MapGroup("/integrations").WithTags("Integrations").RequireAuthorization();

        integrations.MapGet("/", GetIntegrations)
            .WithName("GetIntegrations")
            .WithSummary("The caller's connected providers and the status of their tokens.");

        integrations.MapPut("/todoist", PutTodoistToken)
            .WithValidation<TodoistTokenRequest>()
            .WithName("PutTodoistToken")
            .WithSummary("Checks a Todoist API token with Todoist and stores it encrypted; the token is never returned.");

        integrations.MapDelete("/todoist", DeleteTodoistToken)
            .WithName("DeleteTodoistToken")
            .WithSummary("Forgets the caller's Todoist token and the tasks read with it.");

        return app;
    }

    private static async Task<Ok<IntegrationsResponse>> GetIntegrations(
        ClaimsPrincipal user, TodoistConnections todoist, CancellationToken cancellationToken) =>
        TypedResults.Ok(new IntegrationsResponse([await todoist.StatusAsync(user.UserId(), cancellationToken)]));

    private static async Task<Results<Created<IntegrationStatus>, Ok<IntegrationStatus>, ProblemHttpResult>> PutTodoistToken(
        TodoistTokenRequest request, ClaimsPrincipal user, TodoistConnections todoist, CancellationToken cancellationToken)
    {
        var result = await todoist.ConnectAsync(user.UserId(), request.Token!, cancellationToken);
        return result.Outcome switch
        {
            ConnectOutcome.Created => TypedResults.Created("/integrations", result.Status),
            ConnectOutcome.Replaced => TypedResults.Ok(result.Status),
            _ => TypedResults.Problem(
                statusCode: StatusCodes.Status422UnprocessableEntity,
                type: ProblemTypes.TodoistTokenInvalid,
                title: "Todoist refused the token",
                detail: "Todoist did not accept this API token (401/403). Copy it again from Todoist: Settings → " +
                        "Integrations → Developer. Nothing was stored."),
        };
    }

    private static async Task<NoContent> DeleteTodoistToken(
        ClaimsPrincipal user, TodoistConnections todoist, CancellationToken cancellationToken)
    {
        await todoist.DisconnectAsync(user.UserId(), cancellationToken);
        return TypedResults.NoContent();
    }
}
