using System.Globalization;
using System.Net.Sockets;
using Npgsql;
using Tips.Migrations;

namespace Tips.Doctor.Checks;

/// <summary>The database of <c>ConnectionStrings__Tips</c>: does it answer, and does it have every migration of this build.</summary>
internal sealed class PostgresChecks(string? connectionString, DoctorOptions doctor, TimeProvider time)
{
    private const string Reachable = "Postgres answers";
    private const string Migrated = "Migrated to the latest";

    private const string StartFix =
        "Start it with ./tips up (the local cluster lives in .tips/pg; TIPS_PG_PORT moves it), or point ConnectionStrings__Tips at a running server.";

    public async Task<IReadOnlyList<CheckResult>> RunAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return
            [
                CheckResult.Fail(CheckIds.PostgresReachable, Reachable, "ConnectionStrings__Tips is not set, so there is no database to check.",
                    "Run ./tips up once (./tips doctor then reads the local database's password from .tips/secrets.env), or set ConnectionStrings__Tips."),
                CheckResult.Skip(CheckIds.PostgresMigrated, Migrated, "Skipped: no database to check."),
            ];
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString)
            {
                Timeout = Math.Max(1, (int)Math.Ceiling(doctor.Timeout.TotalSeconds)),
                CommandTimeout = Math.Max(1, (int)Math.Ceiling(doctor.Timeout.TotalSeconds)),
                Pooling = false,
                ApplicationName = "tips-doctor",
            };
        }
        catch (ArgumentException)
        {
            // The message could quote the connection string, password and all.
            return
            [
                CheckResult.Fail(CheckIds.PostgresReachable, Reachable, "ConnectionStrings__Tips is not a valid connection string.",
                    "Set it in Npgsql's form: Host=127.0.0.1;Port=55432;Database=tips;Username=tips;Password=…"),
                CheckResult.Skip(CheckIds.PostgresMigrated, Migrated, "Skipped: no database to check."),
            ];
        }

        var where = $"{builder.Host}:{builder.Port}/{builder.Database}";
        var reachable = await ReachableAsync(builder, where, cancellationToken);
        if (reachable.Status != CheckStatus.Pass)
        {
            return [reachable, CheckResult.Skip(CheckIds.PostgresMigrated, Migrated, "Skipped: the database does not answer.")];
        }
        return [reachable, await MigratedAsync(builder, where, cancellationToken)];
    }

    private async Task<CheckResult> ReachableAsync(NpgsqlConnectionStringBuilder builder, string where, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            return CheckResult.Pass(CheckIds.PostgresReachable, Reachable,
                    $"{where} answers (PostgreSQL {connection.PostgreSqlVersion.ToString(2)}) and lets {builder.Username} in.")
                with { LatencyMs = Network.Milliseconds(time.GetElapsedTime(started)) };
        }
        catch (PostgresException e)
        {
            return e.SqlState switch
            {
                PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
                    CheckResult.Fail(CheckIds.PostgresReachable, Reachable, $"{where} refused the login of {builder.Username} ({e.SqlState}).",
                        "Check the user and password in ConnectionStrings__Tips (./tips up keeps the local ones in .tips/secrets.env)."),
                PostgresErrorCodes.InvalidCatalogName =>
                    CheckResult.Fail(CheckIds.PostgresReachable, Reachable, $"The server at {builder.Host}:{builder.Port} has no database {builder.Database}.",
                        "./tips up creates it; elsewhere create it (owned by the app's role) and run the migrator."),
                PostgresErrorCodes.CannotConnectNow =>
                    CheckResult.Fail(CheckIds.PostgresReachable, Reachable, $"{where} is starting up or shutting down.",
                        "Wait a few seconds and run ./tips doctor again."),
                _ => CheckResult.Fail(CheckIds.PostgresReachable, Reachable, $"{where} refused the connection: {e.MessageText} ({e.SqlState}).", StartFix),
            };
        }
        catch (NpgsqlException e) when (e.InnerException is SocketException socket)
        {
            var reason = socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "the connection was refused: nothing listens there",
                SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "its host name does not resolve",
                _ => $"the connection failed ({socket.SocketErrorCode})",
            };
            return CheckResult.Fail(CheckIds.PostgresReachable, Reachable, $"Postgres does not answer at {where}: {reason}.", StartFix);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException ||
                                  (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return CheckResult.Fail(CheckIds.PostgresReachable, Reachable,
                $"Postgres does not answer at {where} within {Network.Seconds(doctor.Timeout)}.", StartFix);
        }
    }

    private static async Task<CheckResult> MigratedAsync(NpgsqlConnectionStringBuilder builder, string where, CancellationToken cancellationToken)
    {
        MigrationStatus status;
        try
        {
            status = await Migrator.StatusAsync(builder.ConnectionString, cancellationToken);
        }
        catch (NpgsqlException e)
        {
            var reason = e is PostgresException pg ? $"{pg.MessageText} ({pg.SqlState})" : e.Message;
            return CheckResult.Fail(CheckIds.PostgresMigrated, Migrated, $"The migration history of {where} could not be read: {reason}.",
                "The app's role must own the database: connect as it (ConnectionStrings__Tips) and run the migrator.");
        }

        var known = status.Known.Count.ToString(CultureInfo.InvariantCulture);
        if (status.Unknown.Count > 0)
        {
            return CheckResult.Fail(CheckIds.PostgresMigrated, Migrated,
                    $"{where} has migrations this build does not know: {string.Join(", ", status.Unknown)} (a newer version migrated it).",
                    "Update this checkout (git pull) and rebuild, so the services match the database.")
                .With("latest", status.Latest);
        }
        if (status.Pending.Count > 0)
        {
            return CheckResult.Fail(CheckIds.PostgresMigrated, Migrated,
                    $"{status.Pending.Count} of {known} migrations are not applied to {where}: {string.Join(", ", status.Pending)}.",
                    "./tips up migrates the local database. Elsewhere run the migrator: ConnectionStrings__Tips=… dotnet Tips.Migrations.dll " +
                    "(docker compose: docker compose run --rm migrate).")
                .With("latest", status.Latest)
                .With("pending", string.Join(",", status.Pending));
        }
        return CheckResult.Pass(CheckIds.PostgresMigrated, Migrated, $"All {known} migrations are applied to {where} (latest: {status.Latest}).")
            .With("latest", status.Latest);
    }
}
