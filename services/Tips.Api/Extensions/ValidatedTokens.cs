using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Tips.Api.Caching;

namespace Tips.Api.Extensions;

/// <summary>
/// Bearer tokens this process has validated, with the principal each gave, until the token expires (and for at most
/// <see cref="AuthOptions.ValidatedTokensFor"/>). A person sends the same token on every request, and validating it
/// again (parsing, the signature, the claims) was 7 % of Tips.Api's CPU at saturation. The key is the whole token,
/// signature included: only the exact text that passed validation passes again.
/// </summary>
internal sealed class ValidatedTokens(IOptions<AuthOptions> options, TimeProvider time)
{
    private const string BearerPrefix = "Bearer ";

    private readonly ExpiringCache<string, ClaimsPrincipal> _principals =
        new(options.Value.ValidatedTokensFor, time, options.Value.ValidatedTokensMax);

    /// <summary>Lets a token that passed validation before, and has not expired since, through without another.</summary>
    public Task OnMessageReceived(MessageReceivedContext context)
    {
        if (TokenOf(context.Request) is { } token && _principals.TryGet(token, out var principal))
        {
            context.Principal = principal;
            context.Success();
        }
        return Task.CompletedTask;
    }

    /// <summary>Keeps a token that just passed validation until it expires.</summary>
    public Task OnTokenValidated(TokenValidatedContext context)
    {
        if (TokenOf(context.Request) is { } token && context.Principal is { } principal)
        {
            Keep(token, principal, context.SecurityToken);
        }
        return Task.CompletedTask;
    }

    public void Keep(string token, ClaimsPrincipal principal, SecurityToken validated)
    {
        // A token without an expiry is never kept: only validation may decide about it.
        if (validated.ValidTo > DateTime.MinValue)
        {
            _principals.Set(token, principal, new DateTimeOffset(DateTime.SpecifyKind(validated.ValidTo, DateTimeKind.Utc)));
        }
    }

    public bool TryGet(string token, out ClaimsPrincipal principal) => _principals.TryGet(token, out principal);

    private static string? TokenOf(HttpRequest request)
    {
        string? authorization = request.Headers.Authorization;
        return authorization is not null && authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            ? authorization[BearerPrefix.Length..].Trim()
            : null;
    }
}
