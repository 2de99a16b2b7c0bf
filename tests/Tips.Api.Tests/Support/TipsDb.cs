using Microsoft.EntityFrameworkCore;
using Tips.Api.Data;

namespace Tips.Api.Tests.Support;

/// <summary>Direct access to a test's database, to check what the API recorded and to seed rows.</summary>
public static class TipsDb
{
    public static TipsDbContext Open(string connectionString) => new(TipsDatabase.Options(connectionString));

    public static async Task<T> QueryAsync<T>(string connectionString, Func<TipsDbContext, Task<T>> query)
    {
        await using var db = Open(connectionString);
        return await query(db);
    }

    public static Task<List<TipScore>> ScoresAsync(string connectionString) =>
        QueryAsync(connectionString, db => db.TipScores.AsNoTracking().OrderBy(s => s.ServedAt).ThenBy(s => s.Position).ToListAsync());

    public static Task<List<BanditModelState>> ModelsAsync(string connectionString) =>
        QueryAsync(connectionString, db => db.BanditModels.AsNoTracking().OrderBy(m => m.ModelKey).ToListAsync());

    public static Task<List<TipFeedback>> FeedbackAsync(string connectionString) =>
        QueryAsync(connectionString, db => db.TipFeedback.AsNoTracking().OrderBy(f => f.Id).ToListAsync());
}
