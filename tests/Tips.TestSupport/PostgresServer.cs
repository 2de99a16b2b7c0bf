using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Tips.TestSupport;

/// <summary>
/// The one real Postgres server a test process uses, found in this order:
/// <c>TIPS_TEST_DATABASE_URL</c> (a server where databases may be created); a Testcontainers container when a
/// Docker engine answers; else a throwaway cluster made with the installed server binaries (<c>initdb</c>,
/// <c>pg_ctl</c>, run as the <c>postgres</c> user when root) on a free port in a temp folder, removed at exit.
/// Each test gets its own database, copied from a migrated template, so tests never see each other's rows.
/// </summary>
public sealed class PostgresServer
{
    private static readonly SemaphoreSlim StartLock = new(1, 1);
    private static PostgresServer? _shared;

    private readonly SemaphoreSlim _templateLock = new(1, 1);
    private readonly Dictionary<string, string> _templates = [];
    private int _databases;

    private PostgresServer(string adminConnectionString, string description)
    {
        AdminConnectionString = adminConnectionString;
        Description = description;
    }

    /// <summary>A superuser connection to the server's <c>postgres</c> database.</summary>
    public string AdminConnectionString { get; }

    /// <summary>Where the server came from (for failure messages).</summary>
    public string Description { get; }

    public static async Task<PostgresServer> SharedAsync()
    {
        if (_shared is not null)
        {
            return _shared;
        }

        await StartLock.WaitAsync();
        try
        {
            return _shared ??= await StartAsync();
        }
        finally
        {
            StartLock.Release();
        }
    }

    /// <summary>
    /// A fresh database for one test. <paramref name="templateName"/> names a template prepared once per process
    /// by <paramref name="prepareTemplate"/> (e.g. running the migrations), so each copy costs milliseconds.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string templateName, Func<string, Task> prepareTemplate)
    {
        var template = await TemplateAsync(templateName, prepareTemplate);
        var name = $"{templateName}_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await ExecuteAsync($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
        // Every test database has a pool of its own that outlives the test; by default its idle connections stay
        // open for five minutes, and a few hundred tests would use up the server's max_connections. Let them go
        // within seconds.
        return new NpgsqlConnectionStringBuilder(ConnectionStringFor(name))
        {
            ConnectionIdleLifetime = 2,
            ConnectionPruningInterval = 1,
        }.ConnectionString;
    }

    public string ConnectionStringFor(string database, string? user = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database };
        if (user is not null)
        {
            builder.Username = user;
            builder.Password = null;
        }
        return builder.ConnectionString;
    }

    private async Task<string> TemplateAsync(string templateName, Func<string, Task> prepareTemplate)
    {
        await _templateLock.WaitAsync();
        try
        {
            if (_templates.TryGetValue(templateName, out var existing))
            {
                return existing;
            }

            var name = $"{templateName}_{Environment.ProcessId}_template";
            await ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\"");
            await ExecuteAsync($"CREATE DATABASE \"{name}\"");
            // No pooling: a template must have no open connections when it is copied.
            var connectionString = new NpgsqlConnectionStringBuilder(ConnectionStringFor(name)) { Pooling = false }.ConnectionString;
            await prepareTemplate(connectionString);
            NpgsqlConnection.ClearAllPools();
            _templates[templateName] = name;
            return name;
        }
        finally
        {
            _templateLock.Release();
        }
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<PostgresServer> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("TIPS_TEST_DATABASE_URL") is { Length: > 0 } url)
        {
            var builder = new NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString(url)) { Database = "postgres" };
            return new PostgresServer(builder.ConnectionString, "TIPS_TEST_DATABASE_URL");
        }

        if (DockerEngine.Answers())
        {
            try
            {
                var container = new PostgreSqlBuilder("postgres:17-alpine").Build();
                await container.StartAsync();
                AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().GetAwaiter().GetResult();
                var builder = new NpgsqlConnectionStringBuilder(container.GetConnectionString()) { Database = "postgres" };
                return new PostgresServer(builder.ConnectionString, "Testcontainers postgres:17-alpine");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Console.Error.WriteLine($"Docker answered but the Postgres container did not start ({e.Message}); using local binaries.");
            }
        }

        return await LocalCluster.StartAsync();
    }

    /// <summary>A cluster of its own under /tmp, from the PostgreSQL server binaries on this machine.</summary>
    private static class LocalCluster
    {
        public static async Task<PostgresServer> StartAsync()
        {
            var bin = FindBinaries();
            var root = Directory.CreateTempSubdirectory("tips-pg-").FullName;
            var asPostgres = Environment.UserName == "root";
            if (asPostgres)
            {
                await RunAsync("chown", ["-R", "postgres:postgres", root]);
            }

            var data = Path.Combine(root, "data");
            await RunAsync(Path.Combine(bin, "initdb"),
                ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], asPostgres);

            StartWatchdog(bin, data, root, asPostgres);

            Exception? last = null;
            for (var attempt = 0; attempt < 5; attempt++)
            {
                var port = FreePort();
                var options = string.Join(' ',
                    $"-p {port}", "-c listen_addresses=127.0.0.1", "-c unix_socket_directories=''",
                    "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
                    "-c max_connections=300", "-c shared_buffers=128MB");
                try
                {
                    await RunAsync(Path.Combine(bin, "pg_ctl"),
                        ["-D", data, "-l", Path.Combine(root, "postgres.log"), "-o", options, "-w", "-t", "60", "start"], asPostgres);
                    var connectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Include Error Detail=true";
                    return new PostgresServer(connectionString, $"local cluster {data} on port {port}");
                }
                catch (InvalidOperationException e)
                {
                    last = e; // most likely the port was taken between choosing and binding it
                }
            }
            throw new InvalidOperationException($"The throwaway Postgres cluster did not start: {last?.Message}", last);
        }

        /// <summary>
        /// A detached watchdog that stops the cluster and removes its folder once this process is gone, however it
        /// ends: the test host is often killed before exit handlers finish, and a crash runs none.
        /// </summary>
        private static void StartWatchdog(string bin, string data, string root, bool asPostgres)
        {
            const string script = """
                exec </dev/null >/dev/null 2>&1
                parent=$1; pg_ctl=$2; data=$3; root=$4; as=$5
                while kill -0 "$parent"; do sleep 1; done
                if [ "$as" = postgres ]; then runuser -u postgres -- "$pg_ctl" -D "$data" -m immediate -w stop
                else "$pg_ctl" -D "$data" -m immediate -w stop; fi
                rm -rf "$root"
                """;
            var start = new ProcessStartInfo("setsid")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var a in new[] { "sh", "-c", script, "watchdog", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                         Path.Combine(bin, "pg_ctl"), data, root, asPostgres ? "postgres" : "self" })
            {
                start.ArgumentList.Add(a);
            }
            using var watchdog = Process.Start(start) ?? throw new InvalidOperationException("Could not start the cluster watchdog.");
        }

        private static string FindBinaries()
        {
            var candidates = Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql")
                    .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                    .Select(d => Path.Combine(d, "bin"))
                : [];
            var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':');
            return candidates.Concat(onPath).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
                ?? throw new InvalidOperationException(
                    "No Postgres for the tests: set TIPS_TEST_DATABASE_URL, run a Docker engine, or install the PostgreSQL " +
                    "server binaries (./tips test installs them with apt-get).");
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        private static async Task RunAsync(string file, IReadOnlyList<string> args, bool asPostgres = false)
        {
            var start = new ProcessStartInfo(asPostgres ? "runuser" : file)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetTempPath(),
            };
            if (asPostgres)
            {
                foreach (var a in new[] { "-u", "postgres", "--", file })
                {
                    start.ArgumentList.Add(a);
                }
            }
            foreach (var a in args)
            {
                start.ArgumentList.Add(a);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{Path.GetFileName(file)} exited {process.ExitCode}: {await stderr}{await stdout}");
            }
        }
    }
}

/// <summary>Accepts <c>postgres://user:pass@host:port/db</c> as well as Npgsql's key=value form.</summary>
public static class PostgresUrl
{
    public static string ToConnectionString(string value)
    {
        if (!value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) &&
            !value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return value;
        }

        var uri = new Uri(value);
        var user = uri.UserInfo.Split(':', 2);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Database = uri.AbsolutePath.Trim('/') is { Length: > 0 } db ? Uri.UnescapeDataString(db) : "postgres",
            Username = Uri.UnescapeDataString(user[0]),
        };
        if (user.Length > 1)
        {
            builder.Password = Uri.UnescapeDataString(user[1]);
        }
        return builder.ConnectionString;
    }
}

/// <summary>Whether a Docker engine answers here (the CLI alone does not count).</summary>
internal static class DockerEngine
{
    public static bool Answers()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (host is { Length: > 0 } && !host.StartsWith("unix://", StringComparison.Ordinal))
        {
            return true; // a TCP engine: let Testcontainers try, and fall back if it fails
        }

        var socket = host?["unix://".Length..] ?? "/var/run/docker.sock";
        if (!File.Exists(socket))
        {
            return false;
        }

        try
        {
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            client.Connect(new UnixDomainSocketEndPoint(socket));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
