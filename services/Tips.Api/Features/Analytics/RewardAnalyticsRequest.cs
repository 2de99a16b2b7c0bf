using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace Tips.Api.Features.Analytics;

/// <summary>The query of <c>GET /admin/reward-analytics</c>; every part is optional.</summary>
/// <param name="Since">Only tips served at or after this moment (ISO 8601 with offset).</param>
/// <param name="Until">Only tips served before this moment.</param>
/// <param name="FeedbackWindowHours">How long a first feedback still counts; default: analytics.settings.</param>
internal sealed record RewardAnalyticsRequest(
    [FromQuery(Name = "since")] DateTimeOffset? Since,
    [FromQuery(Name = "until")] DateTimeOffset? Until,
    [FromQuery(Name = "feedback_window_hours")] double? FeedbackWindowHours);

internal sealed class RewardAnalyticsRequestValidator : AbstractValidator<RewardAnalyticsRequest>
{
    /// <summary>A year: longer windows would count feedback no one remembers giving.</summary>
    public const double MaxWindowHours = 24 * 366;

    public RewardAnalyticsRequestValidator()
    {
        RuleFor(r => r.Until)
            .Must((r, until) => r.Since is null || until is null || until > r.Since)
            .WithMessage("'until' must be later than 'since'.");
        RuleFor(r => r.FeedbackWindowHours)
            .Must(h => h is null || (double.IsFinite(h.Value) && h > 0 && h <= MaxWindowHours))
            .WithMessage($"'feedback_window_hours' must be more than 0 and at most {MaxWindowHours}.");
    }
}
