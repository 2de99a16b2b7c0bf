using System.Diagnostics;
using System.Security.Cryptography;
using Npgsql;
using Tips.TestSupport;

namespace Tips.Bench.Stack;

/// <summary>What the report says about the Postgres server (its durability settings change what an INSERT costs).</summary>
internal sealed record PostgresInfo(string Source, string Version, string Fsync, string SynchronousCommit, string FullPageWrites,
    string SharedBuffers, string MaxConnections);

/// <summary>
/// The bench's databases on the one Postgres server of <see cref="PostgresServer"/> (a throwaway cluster unless
/// <c>TIPS_TEST_DATABASE_URL</c> names one): the Tips database, migrated by the checkout's own migrator and owned by
/// a login role like the one <c>./tips up</c> makes, and a scratch database for pgbench.
/// </summary>
internal sealed class BenchDatabase
{
    private const string Role = "tips_bench";

    private readonly PostgresServer _server;

    private BenchDatabase(PostgresServer server, string name, string scratch, string password)
    {
        _server = server;
        Name = name;
        ScratchName = scratch;
        var app = new NpgsqlConnectionStringBuilder(server.AdminConnectionString)
        {
            Database = name,
            Username = Role,
            Password = password,
            IncludeErrorDetail = false,
        };
        ConnectionString = app.ConnectionString;
    }

    public string Name { get; }

    public string ScratchName { get; }

    /// <summary>What Tips.Api and the migrator get as <c>ConnectionStrings__Tips</c>.</summary>
    public string ConnectionString { get; }

    public NpgsqlConnectionStringBuilder Admin => new(_server.AdminConnectionString);

    public string Source => _server.Description;

    public static async Task<BenchDatabase> CreateAsync(CancellationToken cancellationToken)
    {
        var server = await PostgresServer.SharedAsync();
        var suffix = Environment.ProcessId;
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var database = new BenchDatabase(server, $"tips_bench_{suffix}", $"tips_bench_scratch_{suffix}", password);

        // As ./tips up: the app's role owns its database and may create the analyst role (the first migration does).
        await server.ExecuteAsync($"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{Role}') THEN CREATE ROLE {Role}; END IF;
            END $$;
            ALTER ROLE {Role} WITH LOGIN CREATEROLE PASSWORD '{password}';
            """);
        await server.ExecuteAsync($"DROP DATABASE IF EXISTS \"{database.Name}\"");
        await server.ExecuteAsync($"CREATE DATABASE \"{database.Name}\" OWNER {Role}");
        await server.ExecuteAsync($"DROP DATABASE IF EXISTS \"{database.ScratchName}\"");
        await server.ExecuteAsync($"CREATE DATABASE \"{database.ScratchName}\"");
        cancellationToken.ThrowIfCancellationRequested();
        return database;
    }

    /// <summary>Runs the checkout's migrator (<c>dotnet Tips.Migrations.dll</c>), as <c>./tips up</c> does.</summary>
    public async Task MigrateAsync(ServiceBuild build, string logPath, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(build.MigratorDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["ConnectionStrings__Tips"] = ConnectionString },
        };
        start.ArgumentList.Add(build.MigratorDll);
        using var migrator = Process.Start(start) ?? throw new BenchSetupException("Could not start the migrator.");
        var stdout = migrator.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = migrator.StandardError.ReadToEndAsync(cancellationToken);
        await migrator.WaitForExitAsync(cancellationToken);
        var output = await stdout + await stderr;
        await File.WriteAllTextAsync(logPath, output, CancellationToken.None);
        if (migrator.ExitCode != 0)
        {
            throw new BenchSetupException($"The migrator failed (exit {migrator.ExitCode}):\n{output.Trim()}");
        }
    }

    public async Task<PostgresInfo> DescribeAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        async Task<string> Show(string setting)
        {
            await using var command = new NpgsqlCommand($"SHOW {setting}", connection);
            return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        return new PostgresInfo(Source, await Show("server_version"), await Show("fsync"), await Show("synchronous_commit"),
            await Show("full_page_writes"), await Show("shared_buffers"), await Show("max_connections"));
    }

    public async Task<long> CountTipScoresAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM tip_scores", connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>When the most recently fetched task snapshot was fetched; null when there is none.</summary>
    public async Task<DateTimeOffset?> NewestSnapshotAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT max(fetched_at) FROM task_snapshots", connection);
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime newest ? new DateTimeOffset(newest, TimeSpan.Zero) : null;
    }

    /// <summary>How many of <paramref name="ids"/> (tip ids as served) have their <c>tip_scores</c> row.</summary>
    public async Task<long> CountLoggedAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM tip_scores WHERE id = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>A scratch table shaped like a served-tip log row (text, timestamps, jsonb; the two analyst indexes).</summary>
    public async Task CreateScratchTableAsync(string table, CancellationToken cancellationToken)
    {
        var scratch = new NpgsqlConnectionStringBuilder(_server.AdminConnectionString) { Database = ScratchName, Pooling = false };
        await using var connection = new NpgsqlConnection(scratch.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"""
            DROP TABLE IF EXISTS {table};
            CREATE TABLE {table} (
              id bigserial PRIMARY KEY,
              user_id text NOT NULL,
              served_at timestamptz NOT NULL DEFAULT now(),
              content text NOT NULL,
              propensity double precision NOT NULL,
              features jsonb NOT NULL
            );
            CREATE INDEX ON {table} (served_at);
            CREATE INDEX ON {table} (user_id, served_at);
            """, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Drops the bench's databases; a throwaway cluster goes away as a whole when the bench exits.</summary>
    public async Task DropAsync()
    {
        NpgsqlConnection.ClearAllPools();
        foreach (var name in new[] { Name, ScratchName })
        {
            try
            {
                await _server.ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            }
            catch (NpgsqlException)
            {
                // best effort: the server may be gone already
            }
        }
    }
}
