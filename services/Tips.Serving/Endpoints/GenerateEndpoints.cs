using Microsoft.AspNetCore.Http.HttpResults;
using Tips.Contracts;
using Tips.ServiceDefaults;
using Tips.Serving.Llm;

namespace Tips.Serving.Endpoints;

internal static class GenerateEndpoints
{
    public static IEndpointRouteBuilder MapGenerateEndpoints(this IEndpointRouteBuilder app)
    {
        var generate = app.MapGroup("/generate").WithTags("Generate")
            .AddEndpointFilter<ServingKeyFilter>()
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        generate.MapPost("", Generate)
            .WithName("Generate")
            .WithSummary("Tip candidates from the LLM gateway for one person's context.")
            .WithDescription(
                "Asks the gateway's model alias for `count` tips and repairs malformed replies (at most 3 model calls). " +
                "502 llm-malformed or llm-gateway-rejected, 503 llm-gateway-unavailable (with Retry-After after a 429), " +
                "504 llm-deadline; every error body carries `attempts`.")
            .WithValidation<GenerateRequest>()
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);

        return app;
    }

    /// <summary>Gateway failures and unusable replies surface as <see cref="ProblemException"/>s (see <see cref="GatewayFailure"/>).</summary>
    private static async Task<Ok<GenerateResponse>> Generate(GenerateRequest request, TipGenerator generator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await generator.GenerateAsync(request.Context!, request.Count, cancellationToken));
}
