using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Tips.ServiceDefaults;

/// <summary>
/// Runs the FluentValidation validator of the endpoint's <typeparamref name="T"/> argument and answers
/// 400 <c>ValidationProblem</c> naming each bad field (snake_case, as on the wire) before the handler runs.
/// </summary>
public sealed class ValidationFilter<T> : IEndpointFilter where T : class
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var validator = context.HttpContext.RequestServices.GetRequiredService<IValidator<T>>();
        var argument = context.Arguments.OfType<T>().FirstOrDefault();
        if (argument is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                type: ProblemTypes.Validation,
                title: "Request body required",
                detail: $"Send a JSON body ({typeof(T).Name}).");
        }

        var result = await validator.ValidateAsync(argument, context.HttpContext.RequestAborted);
        if (result.IsValid)
        {
            return await next(context);
        }

        var errors = result.Errors
            .GroupBy(e => e.PropertyName)
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray());
        return TypedResults.ValidationProblem(errors, title: "Invalid request", type: ProblemTypes.Validation);
    }
}

public static class ValidationFilterExtensions
{
    /// <summary>Validates the <typeparamref name="T"/> body with its registered FluentValidation validator.</summary>
    public static RouteHandlerBuilder WithValidation<T>(this RouteHandlerBuilder builder) where T : class =>
        builder.AddEndpointFilter<ValidationFilter<T>>().ProducesValidationProblem();
}

/// <summary>FluentValidation names fields as the wire does: <c>dwell_ms</c>, not <c>DwellMs</c>.</summary>
internal static class WireValidatorNames
{
    public static void Use()
    {
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) => Snake(member?.Name);
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) => Snake(member?.Name);
    }

    private static string? Snake(string? name) =>
        name is null ? null : System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}
