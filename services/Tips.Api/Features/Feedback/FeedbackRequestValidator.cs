using FluentValidation;
using Tips.Contracts;

namespace Tips.Api.Features.Feedback;

internal sealed class FeedbackRequestValidator : AbstractValidator<FeedbackRequest>
{
    public const long MaxDwellMs = 24L * 60 * 60 * 1000;

    public FeedbackRequestValidator()
    {
        RuleFor(r => r.Action).NotNull()
            .WithMessage($"action is required: one of {string.Join(", ", WireName.All<FeedbackAction>())}.");
        RuleFor(r => r.DwellMs).InclusiveBetween(0, MaxDwellMs)
            .WithMessage($"dwell_ms must be within 0..{MaxDwellMs} (24 hours).");
    }
}
