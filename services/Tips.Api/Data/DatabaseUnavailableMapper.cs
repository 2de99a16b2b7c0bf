using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Tips.ServiceDefaults;

namespace Tips.Api.Data;

/// <summary>
/// A database that cannot be reached (refused, timed out, shutting down) is the caller's 503, not a 500:
/// nothing was served or recorded, and retrying later is right.
/// </summary>
internal sealed partial class DatabaseUnavailableMapper(ILogger<DatabaseUnavailableMapper> logger) : IExceptionProblemMapper
{
    public ProblemDetails? Map(HttpContext context, Exception exception)
    {
        if (!IsUnavailable(exception))
        {
            return null;
        }

        LogUnavailable(logger, exception.GetBaseException().GetType().Name, exception.GetBaseException().Message);
        context.Response.Headers.RetryAfter = "5";
        return new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Type = ProblemTypes.DatabaseUnavailable,
            Title = "Database unavailable",
            Detail = "The database could not be reached; nothing was recorded. Try again shortly.",
        };
    }

    /// <summary>Transient connection-level failures anywhere in the chain, not constraint or SQL errors.</summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case NpgsqlException { IsTransient: true }:
                case NpgsqlException { InnerException: System.Net.Sockets.SocketException or TimeoutException or IOException }:
                case PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections }:
                    return true;
            }
        }
        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database unavailable ({ErrorType}): {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string errorType, string reason);
}
