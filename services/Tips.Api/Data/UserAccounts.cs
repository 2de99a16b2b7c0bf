using Microsoft.EntityFrameworkCore;

namespace Tips.Api.Data;

public static class UserAccounts
{
    /// <summary>Creates the person's row on first sight and records that they were seen; one round trip.</summary>
    public static Task TouchAsync(this TipsDbContext db, string userId, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlInterpolatedAsync(
            $"""
            INSERT INTO users (id, created_at, last_seen_at) VALUES ({userId}, {now}, {now})
            ON CONFLICT (id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at
            """,
            cancellationToken);
}
