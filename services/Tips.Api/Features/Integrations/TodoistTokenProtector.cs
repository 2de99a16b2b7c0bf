using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Tips.Api.Features.Integrations;

/// <summary>
/// Encrypts Todoist tokens at rest with ASP.NET Core Data Protection. The keys live in Postgres, so another replica
/// or a restarted process decrypts what this one stored.
/// </summary>
internal sealed class TodoistTokenProtector(IDataProtectionProvider provider)
{
    // Changing the purpose makes every stored token unreadable: keep it.
    private const string Purpose = "Tips.Api.Integrations.Todoist.Token.v1";

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public string Protect(string token) => _protector.Protect(token);

    /// <summary>The token, or null when it cannot be decrypted (its key is gone from the key ring).</summary>
    public string? TryUnprotect(string ciphertext)
    {
        try
        {
            return _protector.Unprotect(ciphertext);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
