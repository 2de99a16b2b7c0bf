using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Tips.ServiceDefaults;

namespace Tips.Serving.Endpoints;

/// <summary>
/// Tips.Serving is internal: only callers holding the shared <c>SERVING_API_KEY</c> (Tips.Api) may generate.
/// The key is compared in constant time and never echoed.
/// </summary>
internal sealed class ServingKeyFilter(IOptions<ServingAccessOptions> access) : IEndpointFilter
{
    public const string Header = "X-Serving-Key";

    private readonly byte[] _key = Encoding.UTF8.GetBytes(access.Value.ApiKey ?? "");

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var sent = context.HttpContext.Request.Headers[Header].ToString();
        if (sent.Length == 0 || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), _key))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                type: ProblemTypes.Unauthorized,
                title: "Unauthorized",
                detail: $"Tips.Serving is internal: send the shared key in the {Header} header.");
        }
        return await next(context);
    }
}

/// <summary>The shared secret between Tips.Api and Tips.Serving (<c>SERVING_API_KEY</c>).</summary>
internal sealed class ServingAccessOptions
{
    public const string Variable = "SERVING_API_KEY";
    public const int MinLength = 16;

    public const string MissingMessage =
        "SERVING_API_KEY is not set or shorter than 16 characters. Set the same random secret on Tips.Serving and " +
        "Tips.Api: Serving refuses /generate without it.";

    public string? ApiKey { get; set; }
}
