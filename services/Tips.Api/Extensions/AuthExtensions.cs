using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;
using Tips.ServiceDefaults;

namespace Tips.Api.Extensions;

/// <summary>JWT bearer auth: HS256 with a local signing key, or an OIDC authority when one is configured.</summary>
internal static class AuthExtensions
{
    /// <summary>The policy every user endpoint requires: an authenticated token that names its user.</summary>
    public const string UserPolicy = "user";

    /// <summary>The policy of the analysts' endpoints (<c>/admin</c>): a user token with the role <see cref="AnalystRole"/>.</summary>
    public const string AnalystPolicy = "analyst";

    /// <summary>The value of the <c>role</c> claim that grants <see cref="AnalystPolicy"/>.</summary>
    public const string AnalystRole = "analyst";

    public const string SubClaim = "sub";
    public const string RoleClaim = "role";

    public static IHostApplicationBuilder AddTipsAuthentication(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.Section)
            .Validate(o => o.Authority is not null || Encoding.UTF8.GetByteCount(o.SigningKey ?? "") >= AuthOptions.MinKeyBytes,
                AuthOptions.MissingMessage)
            .Validate(o => o.ValidatedTokensFor >= TimeSpan.Zero && o.ValidatedTokensMax > 0,
                "Auth__ValidatedTokensFor must not be negative, and Auth__ValidatedTokensMax must be at least 1.")
            .ValidateOnStart();

        services.AddSingleton<ValidatedTokens>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, ValidatedTokens>((jwt, auth, validated) => Configure(jwt, auth.Value, validated));

        services.AddAuthorizationBuilder()
            .AddPolicy(UserPolicy, p => p.RequireAuthenticatedUser().RequireClaim(SubClaim))
            .AddPolicy(AnalystPolicy, p => p.RequireAuthenticatedUser().RequireClaim(SubClaim).RequireRole(AnalystRole))
            .SetDefaultPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser().RequireClaim(SubClaim).Build());

        services.Configure<SwaggerGenOptions>(o =>
        {
            o.AddSecurityDefinition("Bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A JWT whose `sub` is the user. Locally: `./tips token <user>`.",
            });
            o.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference("Bearer", document)] = [],
            });
        });
        return builder;
    }

    /// <summary>The caller's user id: the token's <c>sub</c> (the default policy guarantees it is there).</summary>
    public static string UserId(this ClaimsPrincipal user) =>
        user.FindFirstValue(SubClaim) ?? throw new InvalidOperationException("The token has no 'sub' claim.");

    private static void Configure(JwtBearerOptions jwt, AuthOptions auth, ValidatedTokens validated)
    {
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            NameClaimType = SubClaim,
            RoleClaimType = RoleClaim,
            ValidateAudience = true,
            ValidAudience = auth.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
        };

        if (auth.Authority is { } authority)
        {
            jwt.Authority = authority.ToString();
            jwt.RequireHttpsMetadata = authority.Scheme == Uri.UriSchemeHttps;
        }
        else
        {
            jwt.TokenValidationParameters.ValidIssuer = auth.Issuer;
            jwt.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(auth.SigningKey!));
            jwt.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        }

        jwt.Events = new JwtBearerEvents
        {
            OnMessageReceived = validated.OnMessageReceived,
            OnTokenValidated = validated.OnTokenValidated,
            OnChallenge = async context =>
            {
                context.HandleResponse();
                var invalid = context.AuthenticateFailure is not null;
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = invalid ? "Bearer error=\"invalid_token\"" : "Bearer";
                await WriteProblem(context.HttpContext, StatusCodes.Status401Unauthorized, ProblemTypes.Unauthorized,
                    "Unauthorized",
                    invalid
                        ? "The bearer token is invalid or expired."
                        : "Send 'Authorization: Bearer <JWT>' whose 'sub' names the user.");
            },
            OnForbidden = context => WriteProblem(context.HttpContext, StatusCodes.Status403Forbidden,
                ProblemTypes.Forbidden, "Forbidden", "The token does not grant access to this resource."),
        };
    }

    private static async Task WriteProblem(HttpContext http, int status, string type, string title, string detail)
    {
        http.Response.StatusCode = status;
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = status, Type = type, Title = title, Detail = detail },
        });
    }
}

internal sealed class AuthOptions
{
    public const string Section = "Auth";
    public const int MinKeyBytes = 32;

    public const string MissingMessage =
        "Auth__SigningKey is not set (or shorter than 32 bytes) and Auth__Authority is not set. " +
        "Set Auth__SigningKey to a random secret of at least 32 characters for locally signed HS256 tokens, " +
        "or Auth__Authority to your OIDC issuer.";

    /// <summary>HS256 key for locally minted tokens (<c>./tips token</c>).</summary>
    public string? SigningKey { get; set; }

    /// <summary>OIDC issuer; when set, keys come from its discovery document and <see cref="SigningKey"/> is unused.</summary>
    public Uri? Authority { get; set; }
    public string Issuer { get; set; } = "tips-dev";
    public string Audience { get; set; } = "tips-api";

    /// <summary>How long a validated token is let through again without another validation (never past its expiry);
    /// zero validates every request. It bounds how long a signing key the authority has withdrawn still counts.</summary>
    public TimeSpan ValidatedTokensFor { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many validated tokens are kept at most: a few KB each.</summary>
    public int ValidatedTokensMax { get; set; } = 20_000;
}
