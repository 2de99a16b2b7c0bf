using System.Buffers.Binary;
using Microsoft.Extensions.Options;
using Npgsql;
using Tips.Api.Caching;

namespace Tips.Api.Features.Bandit;

/// <summary>
/// The reward models in Postgres (<c>bandit_models</c>): one global, one per person. Serving reads both and shrinks
/// the person's toward the global one; learning adds to both in the caller's transaction. The global model's
/// coefficients are kept in the process for <see cref="BanditOptions.GlobalModelCacheFor"/>: everyone's model moves
/// slowly, and reading and solving its matrix on every request was most of the scoring's database work.
/// </summary>
internal sealed class BanditStore(IOptions<BanditOptions> options, TimeProvider time)
{
    public const string GlobalKey = "global";

    private readonly ExpiringCache<string, double[]> _global = new(options.Value.GlobalModelCacheFor, time, maxEntries: 2);

    public static string UserKey(string userId) => $"user:{userId}";

    /// <summary>
    /// The statements that read the person's model row, and the global one unless its coefficients are cached, for a
    /// caller to run in a batch with others, first; <see cref="CoefficientsAsync"/> then reads their results and leaves
    /// the reader on the last of them.
    /// </summary>
    public ModelsRead ReadModels(string userId)
    {
        var haveGlobal = _global.TryGet(GlobalKey, out var globalTheta);
        // The global row only when its coefficients are not cached. A statement per key keeps one cached plan; a
        // statement for either key (an OR, or an array of keys) was planned again on every read.
        var commands = new List<NpgsqlBatchCommand> { ReadModel(UserKey(userId)) };
        if (!haveGlobal)
        {
            commands.Add(ReadModel(GlobalKey));
        }
        return new ModelsRead(commands, haveGlobal ? globalTheta : null);
    }

    private static NpgsqlBatchCommand ReadModel(string key) =>
        new($"SELECT {ModelColumns} FROM bandit_models WHERE model_key = $1")
        {
            Parameters = { new NpgsqlParameter<string> { TypedValue = key } },
        };

    /// <summary>The person's coefficients θ, shrunk toward the global model's (with the sums they came from), from the result of
    /// <paramref name="read"/>'s statements, where <paramref name="reader"/> stands.</summary>
    public async Task<Coefficients> CoefficientsAsync(ModelsRead read, NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var d = BanditFeatures.Dimension;
        var rows = await ReadRowsAsync(reader, read.Commands.Count, cancellationToken);
        var user = rows.Where(r => r.Key != GlobalKey).Select(r => r.Value).FirstOrDefault() ?? new RewardModel(d);
        var global = rows.TryGetValue(GlobalKey, out var storedGlobal) ? storedGlobal : new RewardModel(d);

        var globalTheta = read.CachedGlobal;
        if (globalTheta is null)
        {
            globalTheta = global.Solve(options.Value.RidgeLambda);
            _global.Set(GlobalKey, globalTheta);
        }
        return Shrunk(user.Observations == 0 ? null : user, globalTheta);
    }

    /// <summary>
    /// <paramref name="before"/> with the person's model as <paramref name="person"/>, the sums a commit wrote for it
    /// (<see cref="Learning.People"/>), solved with the same global coefficients: so that the process that took the
    /// feedback need not read the person's model again.
    /// </summary>
    public Coefficients Learned(Coefficients before, RewardModel person) => Shrunk(person, before.GlobalTheta);

    private Coefficients Shrunk(RewardModel? person, double[] globalTheta) =>
        new(person is null ? globalTheta : person.Solve(options.Value.Shrinkage, globalTheta), person, globalTheta);

    /// <summary>
    /// The statements that lock and read the model rows a commit may learn into: those of <paramref name="userIds"/>'
    /// people, by key, then the global one, the order every writer locks them in, so that none deadlock. Run them in
    /// the transaction's first round trip, after the tips' locks; <see cref="ReadLockedAsync"/> reads their results.
    /// </summary>
    public IReadOnlyList<NpgsqlBatchCommand> LockModels(IEnumerable<string> userIds) =>
    [
        .. userIds.Select(UserKey).Distinct().Order(StringComparer.Ordinal).Append(GlobalKey)
            .Select(key => new NpgsqlBatchCommand(LockModelSql) { Parameters = { new NpgsqlParameter<string> { TypedValue = key } } }),
    ];

    private const string LockModelSql = $"SELECT {ModelColumns} FROM bandit_models WHERE model_key = $1 FOR UPDATE";

    /// <summary>
    /// A model row as <see cref="ReadRowsAsync"/> reads it: the arrays in Postgres's binary array format
    /// (<c>array_send</c>), which Tips.Api turns into numbers in one pass (<see cref="Float8s"/>). Npgsql's reader of
    /// <c>double precision[]</c> takes each of a row's 240 numbers as a value of its own, and was most of a feedback
    /// commit's work in Tips.Api after the round trips (docs/performance.md).
    /// </summary>
    private const string ModelColumns = "model_key, dimension, array_send(a_matrix), array_send(b_vector), observations";

    /// <summary>The rows of <see cref="LockModels"/>'s <paramref name="statements"/>, from the first one's result,
    /// where <paramref name="reader"/> stands; leaves it on the last.</summary>
    public static async Task<LockedModels> ReadLockedAsync(NpgsqlDataReader reader, int statements) =>
        new(await ReadRowsAsync(reader, statements, CancellationToken.None));

    /// <summary>The model rows that <paramref name="statements"/> statements selected, by key, from the first one's result,
    /// where <paramref name="reader"/> stands; leaves it on the last.</summary>
    private static async Task<Dictionary<string, RewardModel>> ReadRowsAsync(NpgsqlDataReader reader, int statements, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, RewardModel>(StringComparer.Ordinal);
        for (var i = 0; i < statements; i++)
        {
            if (i > 0)
            {
                await reader.NextResultAsync(cancellationToken);
            }
            while (await reader.ReadAsync(cancellationToken))
            {
                rows[reader.GetString(0)] = ToModel(reader.GetInt32(1), Float8s(reader.GetFieldValue<byte[]>(2)),
                    Float8s(reader.GetFieldValue<byte[]>(3)), reader.GetInt64(4));
            }
        }
        return rows;
    }

    /// <summary>
    /// The statements that add <paramref name="observations"/> to their people's models and, once, their sum to the
    /// global model, with the sums each person's row will hold. A row <paramref name="locked"/> holds is written with
    /// its sums added here, in Tips.Api (one of another feature layout starts from these observations); adding in SQL,
    /// element by element with a sort, was the largest part of these statements' time. A row that did not exist when
    /// locked is inserted, and should another replica insert it meanwhile, the insert adds to what that one wrote. Run
    /// them in the transaction that locked the rows, as its last statements: every first feedback in the system updates
    /// the global row, locked until the commit that follows.
    /// </summary>
    public Learning Learn(IEnumerable<Observation> observations, LockedModels locked)
    {
        var d = BanditFeatures.Dimension;
        var global = new RewardModel(d);
        var people = new SortedDictionary<string, RewardModel>(StringComparer.Ordinal);
        foreach (var (userId, x, reward) in observations)
        {
            if (!people.TryGetValue(userId, out var model))
            {
                people[userId] = model = new RewardModel(d);
            }
            model.Add(x, reward);
            global.Add(x, reward);
        }
        if (global.Observations == 0)
        {
            return new Learning([], new Dictionary<string, RewardModel>());
        }

        var now = time.GetUtcNow();
        var writes = new List<NpgsqlBatchCommand>();
        var written = new Dictionary<string, RewardModel>(StringComparer.Ordinal);
        // Each person's row by key, then the global one: the order of their locks.
        foreach (var (userId, key, added) in people
            .Select(p => ((string?)p.Key, UserKey(p.Key), p.Value))
            .Append((null, GlobalKey, global)))
        {
            var (sql, model) = locked.Rows.TryGetValue(key, out var stored) ? (SetSumsSql, stored.Plus(added)) : (AddObservationsSql, added);
            if (userId is not null)
            {
                written[userId] = model;
            }
            writes.Add(new NpgsqlBatchCommand(sql)
            {
                Parameters =
                {
                    new NpgsqlParameter<string> { TypedValue = key },
                    new NpgsqlParameter<string> { TypedValue = options.Value.PolicyName },
                    new NpgsqlParameter<int> { TypedValue = d },
                    new NpgsqlParameter<double[]> { TypedValue = model.A },
                    new NpgsqlParameter<double[]> { TypedValue = model.B },
                    new NpgsqlParameter<long> { TypedValue = model.Observations },
                    new NpgsqlParameter<DateTimeOffset> { TypedValue = now },
                },
            });
        }
        return new Learning(writes, written);
    }

    private const string SetSumsSql =
        """
        UPDATE bandit_models SET policy = $2, dimension = $3, a_matrix = $4, b_vector = $5, observations = $6, updated_at = $7
        WHERE model_key = $1
        """;

    private const string SameLayout =
        "m.dimension = EXCLUDED.dimension AND cardinality(m.a_matrix) = cardinality(EXCLUDED.a_matrix) " +
        "AND cardinality(m.b_vector) = cardinality(EXCLUDED.b_vector)";

    private const string AddObservationsSql =
        $$"""
        INSERT INTO bandit_models AS m (model_key, policy, dimension, a_matrix, b_vector, observations, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (model_key) DO UPDATE SET
            a_matrix = CASE WHEN {{SameLayout}} THEN ARRAY(
                SELECT s.stored + s.added FROM unnest(m.a_matrix, EXCLUDED.a_matrix) WITH ORDINALITY AS s(stored, added, i) ORDER BY s.i)
                ELSE EXCLUDED.a_matrix END,
            b_vector = CASE WHEN {{SameLayout}} THEN ARRAY(
                SELECT s.stored + s.added FROM unnest(m.b_vector, EXCLUDED.b_vector) WITH ORDINALITY AS s(stored, added, i) ORDER BY s.i)
                ELSE EXCLUDED.b_vector END,
            observations = CASE WHEN {{SameLayout}} THEN m.observations + EXCLUDED.observations ELSE EXCLUDED.observations END,
            dimension = EXCLUDED.dimension,
            policy = EXCLUDED.policy,
            updated_at = EXCLUDED.updated_at
        """;

    /// <summary>
    /// The numbers of a <c>double precision[]</c> in Postgres's binary array format: the number of dimensions, a
    /// null flag and the element type, then each dimension's length and lower bound, then each element as its length
    /// and 8 bytes, all big-endian. An empty array has no dimensions; one that is not a single dimension of numbers
    /// without nulls is not a model's.
    /// </summary>
    internal static double[] Float8s(ReadOnlySpan<byte> array)
    {
        const int header = 12, dimension = 8, element = 4 + sizeof(double);
        const uint float8 = 701;
        if (array.Length < header || BinaryPrimitives.ReadUInt32BigEndian(array[8..]) != float8)
        {
            throw new InvalidDataException("Not a double precision[].");
        }
        var dimensions = BinaryPrimitives.ReadInt32BigEndian(array);
        if (dimensions == 0)
        {
            return [];
        }
        if (dimensions != 1 || BinaryPrimitives.ReadInt32BigEndian(array[4..]) != 0 || array.Length < header + dimension)
        {
            throw new InvalidDataException("A model's double precision[] has one dimension and no nulls.");
        }
        var count = BinaryPrimitives.ReadInt32BigEndian(array[header..]);
        var elements = array[(header + dimension)..];
        if (count < 0 || elements.Length != (long)count * element)
        {
            throw new InvalidDataException($"A double precision[] of {count} elements in {elements.Length} bytes.");
        }
        var numbers = new double[count];
        for (var i = 0; i < count; i++)
        {
            // Each element: its length (8), then the number.
            numbers[i] = BinaryPrimitives.ReadDoubleBigEndian(elements.Slice(i * element + 4, sizeof(double)));
        }
        return numbers;
    }

    /// <summary>State from a row's columns; a row of another feature layout starts from nothing.</summary>
    private static RewardModel ToModel(int dimension, double[] a, double[] b, long observations)
    {
        var d = BanditFeatures.Dimension;
        return dimension != d || a.Length != d * d || b.Length != d
            ? new RewardModel(d)
            : new RewardModel(d, a, b, observations);
    }
}

/// <summary>The model rows a feedback commit locked, by key: one of another feature layout as an empty model, so that
/// learning replaces it.</summary>
internal sealed record LockedModels(IReadOnlyDictionary<string, RewardModel> Rows);

/// <summary>What a commit's learning writes (<see cref="BanditStore.Learn"/>): its statements, and each person's model
/// as their row will hold it, by user id (as this commit added it, where another replica inserted the row first).</summary>
internal sealed record Learning(IReadOnlyList<NpgsqlBatchCommand> Writes, IReadOnlyDictionary<string, RewardModel> People);

/// <summary>The models statement of one request, with the global coefficients that were cached when it was made.</summary>
internal sealed record ModelsRead(IReadOnlyList<NpgsqlBatchCommand> Commands, double[]? CachedGlobal);

/// <summary>One reward a person's feedback gave for a tip with features <paramref name="X"/>.</summary>
internal sealed record Observation(string UserId, double[] X, double Reward);

/// <summary>A person's coefficients <paramref name="Theta"/>: their model's sums (<paramref name="Person"/>, null before
/// any observation) shrunk toward the global model's coefficients <paramref name="GlobalTheta"/>.</summary>
internal sealed record Coefficients(double[] Theta, RewardModel? Person, double[] GlobalTheta);
