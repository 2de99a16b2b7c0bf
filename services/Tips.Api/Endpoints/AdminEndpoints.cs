using Microsoft.AspNetCore.Http.HttpResults;
using Tips.Api.Extensions;
using Tips.Api.Features.Analytics;
using Tips.Contracts;
using Tips.ServiceDefaults;

namespace Tips.Api.Endpoints;

/// <summary>Views for analysts and operators; every call needs a token with the <c>analyst</c> role.</summary>
internal static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").WithTags("Admin").RequireAuthorization(AuthExtensions.AnalystPolicy);

        admin.MapGet("/reward-analytics", GetRewardAnalytics)
            .WithName("GetRewardAnalytics")
            .WithSummary("Rewards and first-action rates by llm_model × prompt_version × tip_kind × tip_source.")
            .WithValidation<RewardAnalyticsRequest>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        return app;
    }

    private static async Task<Ok<RewardAnalyticsResponse>> GetRewardAnalytics(
        [AsParameters] RewardAnalyticsRequest request, RewardAnalytics analytics, CancellationToken cancellationToken) =>
        TypedResults.Ok(await analytics.GetAsync(request, cancellationToken));
}
