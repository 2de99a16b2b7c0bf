using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Tips.Api.Tests.Support;

/// <summary>Mints JWTs the way <c>./tips token</c> does: HS256, issuer tips-dev, audience tips-api; issued at
/// <c>now</c>, by default the real time, which token validation reads.</summary>
public static class TestTokens
{
    public const string SigningKey = "test-signing-key-0123456789abcdef-0123456789";

    public static string For(string? user, string? role = null, string key = SigningKey, TimeSpan? lifetime = null,
        string issuer = "tips-dev", string audience = "tips-api", DateTimeOffset? now = null)
    {
        var claims = new List<Claim>();
        if (user is not null)
        {
            claims.Add(new Claim("sub", user));
        }
        if (role is not null)
        {
            claims.Add(new Claim("role", role));
        }

        var at = now?.UtcDateTime ?? DateTime.UtcNow;
        var life = lifetime ?? TimeSpan.FromHours(1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            Issuer = issuer,
            Audience = audience,
            IssuedAt = at.Add(life < TimeSpan.Zero ? life * 2 : TimeSpan.Zero),
            NotBefore = at.Add(life < TimeSpan.Zero ? life * 2 : TimeSpan.Zero),
            Expires = at.Add(life),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }
}
