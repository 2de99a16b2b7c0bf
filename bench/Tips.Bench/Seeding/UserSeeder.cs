using System.Globalization;
using Tips.Bench.Load;
using Tips.Bench.Stack;

namespace Tips.Bench.Seeding;

/// <summary>
/// Makes the users of a pool: a fake Todoist account each (one of a few hundred realistic task lists, served in one
/// page as Todoist does up to its limit), a JWT, and the account connected through the real
/// <c>PUT /integrations/todoist</c>.
/// </summary>
internal static class UserSeeder
{
    private const int Parallelism = 8;

    /// <summary>Users primed at once (a closed loop over the pool).</summary>
    public const int PrimeParallelism = 8;

    /// <summary>
    /// Distinct task lists per pool. Accounts share them (the fake only reads and copies them), which keeps this
    /// process's heap small: a large heap here would mean long GC pauses in the load generator, and latencies that
    /// are its own.
    /// </summary>
    private const int TaskSets = 200;

    public static async Task<UserPool> SeedAsync(string pool, int count, BenchStack stack, LoadClient client, Random random,
        CancellationToken cancellationToken)
    {
        var now = TimeProvider.System.GetUtcNow();
        var taskSets = Enumerable.Range(0, Math.Min(count, TaskSets)).Select(_ => TodoistTasks.For(random, now)).ToList();
        var users = new List<BenchUser>(count);
        for (var i = 0; i < count; i++)
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"bench-{pool}-{i:D5}");
            var token = string.Create(CultureInfo.InvariantCulture, $"todoist-{pool}-{i:D5}-{random.Next():x8}");
            var account = stack.Todoist.Account(token);
            account.PageSize = 200;
            account.Timezone = TodoistTasks.TimezoneFor(random);
            lock (account.Tasks)
            {
                account.Tasks.Clear();
                account.Tasks.AddRange(taskSets[random.Next(taskSets.Count)]);
            }
            users.Add(new BenchUser(id, "Bearer " + stack.Tokens.Mint(id, TimeSpan.FromDays(2)), token));
        }

        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (user, token) =>
            {
                var answer = await client.ConnectTodoistAsync(user, token);
                if (!answer.IsSuccess)
                {
                    throw new BenchSetupException($"PUT /integrations/todoist for {user.Id} answered {Describe(answer)}; the users cannot be seeded.");
                }
            });
        return new UserPool(pool, users);
    }

    /// <summary>One <c>GET /tips</c> per user, so that their task snapshot and LLM candidates are cached.</summary>
    public static async Task PrimeAsync(UserPool pool, LoadClient client, int parallelism, CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(pool.Users, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (user, token) =>
            {
                var answer = await client.GetTipsAsync(user, token);
                if (!answer.IsSuccess)
                {
                    throw new BenchSetupException($"Priming GET /tips for {user.Id} answered {Describe(answer)}.");
                }
            });
    }

    public static string Describe(Answer answer) => answer.Failure switch
    {
        FailureKind.Timeout => "nothing (timeout)",
        FailureKind.Transport => "nothing (connection failed)",
        _ => $"{answer.Status} {(answer.Body is null ? "" : System.Text.Encoding.UTF8.GetString(answer.Body))}".TrimEnd(),
    };
}
