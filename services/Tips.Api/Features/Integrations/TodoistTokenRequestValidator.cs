using FluentValidation;
using Tips.Contracts;

namespace Tips.Api.Features.Integrations;

/// <summary>
/// A plausible Todoist API token: present, 8..256 characters, no whitespace. Messages never repeat the value.
/// </summary>
internal sealed class TodoistTokenRequestValidator : AbstractValidator<TodoistTokenRequest>
{
    public const int MinLength = 8;
    public const int MaxLength = 256;

    public TodoistTokenRequestValidator()
    {
        RuleFor(r => r.Token)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("Give your Todoist API token (Todoist: Settings → Integrations → Developer).")
            .Length(MinLength, MaxLength).WithMessage($"A Todoist API token is {MinLength} to {MaxLength} characters long.")
            .Must(t => !t!.Any(char.IsWhiteSpace)).WithMessage("A Todoist API token has no spaces or line breaks; copy it again.");
    }
}
