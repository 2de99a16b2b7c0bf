using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tips.Api.Capacity;
using Tips.Api.Extensions;
using Tips.Api.Features.Feedback;
using Tips.Api.Features.Recommendations;
using Tips.Contracts;
using Tips.ServiceDefaults;

namespace Tips.Api.Endpoints;

internal static class TipsEndpoints
{
    public const int MaxLimit = 5;

    public static IEndpointRouteBuilder MapTipsEndpoints(this IEndpointRouteBuilder app)
    {
        var tips = app.MapGroup("/tips").WithTags("Tips").RequireAuthorization();

        tips.MapGet("/", GetTips)
            .WithName("GetTips")
            .WithSummary("The next tip(s) for the caller, through assemble → score → serve.")
            .WithDescription(
                "Assembles the caller's Todoist tasks, signals and LLM candidates, scores the pool with the ε-greedy " +
                "bandit and logs every served tip to tip_scores before answering. `limit` is 1..5 (default 1). Each " +
                "tip's `id` is its tip_scores row: post feedback to it. 503 when the database is unreachable, or at once with " +
                "`Retry-After` when this replica is at capacity.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .AddEndpointFilter(PersonRateLimits.TipsAsync)
            .AddEndpointFilter(LoadShedder.ShedAsync);

        tips.MapPost("/{id}/feedback", PostFeedback)
            .WithName("PostFeedback")
            .WithSummary("What the caller did with a served tip; teaches the bandit.")
            .WithDescription(
                "`action` is done | dismiss | snooze | helpful | not_helpful; `dwell_ms` (0..86400000) is how long the " +
                "tip was looked at. The answer carries the reward it was worth. Posting the same action again returns " +
                "the same answer and changes nothing.")
            .AddEndpointFilter(PersonRateLimits.FeedbackAsync)
            .WithValidation<FeedbackRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        return app;
    }

    /// <param name="limit">How many tips, 1..5 (default 1).</param>
    private static async Task<Results<Ok<TipsResponse>, ValidationProblem>> GetTips(
        ClaimsPrincipal user, TipsRecommender recommender, CancellationToken cancellationToken, int? limit = null)
    {
        var count = limit ?? 1;
        if (count is < 1 or > MaxLimit)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["limit"] = [$"limit must be within 1..{MaxLimit}."] },
                title: "Invalid request", type: ProblemTypes.Validation);
        }

        var tips = await recommender.RecommendAsync(user.UserId(), count, cancellationToken);
        return TypedResults.Ok(new TipsResponse(tips));
    }

    private static async Task<Results<Ok<FeedbackResponse>, ProblemHttpResult>> PostFeedback(
        Guid id, FeedbackRequest request, ClaimsPrincipal user, FeedbackRecorder recorder, CancellationToken cancellationToken)
    {
        var answer = await recorder.RecordAsync(user.UserId(), id, request.Action!.Value, request.DwellMs, cancellationToken);
        return answer is null
            ? TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                type: ProblemTypes.NotFound,
                title: "Tip not found",
                detail: $"No tip {id} was served to you.")
            : TypedResults.Ok(answer);
    }
}
