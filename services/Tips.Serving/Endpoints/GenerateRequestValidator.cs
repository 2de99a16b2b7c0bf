using FluentValidation;
using Tips.Contracts;

namespace Tips.Serving.Endpoints;

/// <summary>
/// Bounds what one generation may ask for, so a prompt stays within a small model's context window and a bad
/// caller gets a 400 naming the field instead of a slow or failing model call.
/// </summary>
internal sealed class GenerateRequestValidator : AbstractValidator<GenerateRequest>
{
    public const int MaxCount = 10;
    public const int MaxTasks = 50;
    public const int MaxTaskContent = 1000;
    public const int MaxLabels = 20;
    public const int MaxLabelLength = 100;
    public const int MaxIdLength = 100;

    public GenerateRequestValidator()
    {
        RuleFor(r => r.Count).InclusiveBetween(1, MaxCount);
        RuleFor(r => r.Context).NotNull().WithMessage("'context' is required: the person's local time, timezone, signals and tasks.");
        When(r => r.Context is not null, () =>
        {
            RuleFor(r => r.Context!.LocalTime).NotEqual(default(DateTimeOffset)).OverridePropertyName("context.local_time")
                .WithMessage("'context.local_time' is required: the person's wall clock with its UTC offset.");
            RuleFor(r => r.Context!.Timezone).NotEmpty().MaximumLength(64).OverridePropertyName("context.timezone");
            RuleFor(r => r.Context!.Signals).NotNull().OverridePropertyName("context.signals");
            RuleFor(r => r.Context!.Signals).SetValidator(new SignalsValidator()).OverridePropertyName("context.signals")
                .When(r => r.Context!.Signals is not null);
            RuleFor(r => r.Context!.Tasks).NotNull().OverridePropertyName("context.tasks");
            RuleFor(r => r.Context!.Tasks.Count).LessThanOrEqualTo(MaxTasks).OverridePropertyName("context.tasks")
                .WithMessage($"'context.tasks' may hold at most {MaxTasks} tasks; send the most pressing ones.")
                .When(r => r.Context!.Tasks is not null);
            RuleForEach(r => r.Context!.Tasks).NotNull().SetValidator(new TaskValidator()).OverridePropertyName("context.tasks")
                .When(r => r.Context!.Tasks is not null);
            RuleFor(r => r.Context!.Tasks).Must(tasks => tasks.Select(t => t?.Id).Distinct(StringComparer.Ordinal).Count() == tasks.Count)
                .OverridePropertyName("context.tasks").WithMessage("Task ids in 'context.tasks' must be unique.")
                .When(r => r.Context!.Tasks is not null);
        });
    }

    private sealed class SignalsValidator : AbstractValidator<UserSignals>
    {
        public SignalsValidator()
        {
            RuleFor(s => s.CompletionRate30d).InclusiveBetween(0, 1);
            RuleFor(s => s.DismissRate30d).InclusiveBetween(0, 1);
            RuleFor(s => s.MeanDwellMs).GreaterThanOrEqualTo(0);
            RuleFor(s => s.PreferredHour).InclusiveBetween(0, 23);
            RuleFor(s => s.TipsServed30d).GreaterThanOrEqualTo(0);
        }
    }

    private sealed class TaskValidator : AbstractValidator<PromptTask>
    {
        public TaskValidator()
        {
            RuleFor(t => t.Id).NotEmpty().MaximumLength(MaxIdLength);
            RuleFor(t => t.Content).NotEmpty().MaximumLength(MaxTaskContent);
            RuleFor(t => t.Priority).InclusiveBetween(1, 4);
            RuleFor(t => t.Due).MaximumLength(40);
            RuleFor(t => t.DueAgeDays).InclusiveBetween(0, 30);
            RuleFor(t => t.Labels).NotNull();
            RuleFor(t => t.Labels.Count).LessThanOrEqualTo(MaxLabels).OverridePropertyName("labels").When(t => t.Labels is not null);
            RuleForEach(t => t.Labels).NotEmpty().MaximumLength(MaxLabelLength).When(t => t.Labels is not null);
        }
    }
}
