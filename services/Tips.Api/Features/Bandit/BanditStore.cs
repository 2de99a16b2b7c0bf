using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tips.Api.Caching;
using Tips.Api.Data;

namespace Tips.Api.Features.Bandit;

/// <summary>
/// The reward models in Postgres (<c>bandit_models</c>): one global, one per person. Serving reads both and shrinks
/// the person's toward the global one; learning updates both in the caller's transaction. The global model's
/// coefficients are kept in the process for <see cref="BanditOptions.GlobalModelCacheFor"/>: everyone's model moves
/// slowly, and reading and solving its matrix on every request was most of the scoring's database work.
/// </summary>
internal sealed class BanditStore(IOptions<BanditOptions> options, TimeProvider time)
{
    public const string GlobalKey = "global";

    private readonly ExpiringCache<string, double[]> _global = new(options.Value.GlobalModelCacheFor, time, maxEntries: 2);

    public static string UserKey(string userId) => $"user:{userId}";

    /// <summary>The person's coefficients θ, shrunk toward the global model's.</summary>
    public async Task<double[]> CoefficientsAsync(TipsDbContext db, string userId, CancellationToken cancellationToken)
    {
        var userKey = UserKey(userId);
        var o = options.Value;
        var haveGlobal = _global.TryGet(GlobalKey, out var globalTheta);
        var models = haveGlobal
            ? db.BanditModels.Where(m => m.ModelKey == userKey)
            : db.BanditModels.Where(m => m.ModelKey == GlobalKey || m.ModelKey == userKey);
        var rows = await models.AsNoTracking().ToListAsync(cancellationToken);
        if (!haveGlobal)
        {
            globalTheta = ToModel(rows.FirstOrDefault(r => r.ModelKey == GlobalKey)).Solve(o.RidgeLambda);
            _global.Set(GlobalKey, globalTheta);
        }

        var user = ToModel(rows.FirstOrDefault(r => r.ModelKey == userKey));
        return user.Observations == 0 ? globalTheta : user.Solve(o.Shrinkage, globalTheta);
    }

    /// <summary>
    /// Adds one observation to the person's and the global model. Call inside a transaction: the rows are locked
    /// (global first, always the same order) so that concurrent feedback never loses an update.
    /// </summary>
    public async Task LearnAsync(TipsDbContext db, string userId, double[] x, double reward, CancellationToken cancellationToken)
    {
        var keys = new[] { GlobalKey, UserKey(userId) };
        var d = BanditFeatures.Dimension;
        var now = time.GetUtcNow();
        var policy = options.Value.PolicyName;
        var empty = new double[d * d];
        var emptyB = new double[d];
        foreach (var key in keys)
        {
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"""
                INSERT INTO bandit_models (model_key, policy, dimension, a_matrix, b_vector, observations, updated_at)
                VALUES ({key}, {policy}, {d}, {empty}, {emptyB}, 0, {now})
                ON CONFLICT (model_key) DO NOTHING
                """,
                cancellationToken);
        }

        var rows = await db.BanditModels
            .FromSqlInterpolated($"SELECT *, xmin FROM bandit_models WHERE model_key = ANY({keys}) ORDER BY model_key FOR UPDATE")
            .ToListAsync(cancellationToken);
        foreach (var row in rows)
        {
            var model = ToModel(row);
            model.Add(x, reward);
            row.Dimension = d;
            row.AMatrix = model.A;
            row.BVector = model.B;
            row.Observations = model.Observations;
            row.Policy = policy;
            row.UpdatedAt = now;
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>State from a row; a missing row, or one of another feature layout, starts from nothing.</summary>
    private static RewardModel ToModel(BanditModelState? row)
    {
        var d = BanditFeatures.Dimension;
        return row is null || row.Dimension != d || row.AMatrix.Length != d * d || row.BVector.Length != d
            ? new RewardModel(d)
            : new RewardModel(d, [.. row.AMatrix], [.. row.BVector], row.Observations);
    }
}
