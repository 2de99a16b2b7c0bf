using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Tips.ServiceDefaults;

/// <summary>
/// Turns every exception that reaches the pipeline into problem+json through <see cref="IProblemDetailsService"/>
/// (so the body keeps the trace_id): known failures with their own status, bad input as 400 naming the field,
/// failures a service maps itself (<see cref="IExceptionProblemMapper"/>), anything else as a 500 that says nothing
/// about the internals.
/// </summary>
internal sealed partial class ProblemExceptionHandler(
    IProblemDetailsService problems, IEnumerable<IExceptionProblemMapper> mappers, ILogger<ProblemExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; nobody is left to read a body.
            context.Response.StatusCode = StatusCodes.Status499ClientClosedRequest;
            return true;
        }

        var problem = exception switch
        {
            ProblemException known => FromKnown(context, known),
            BadHttpRequestException bad => new ProblemDetails
            {
                Status = bad.StatusCode,
                Type = ProblemTypes.BadRequest,
                Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Bad request",
                Detail = DescribeBadRequest(bad),
            },
            _ => mappers.Select(m => m.Map(context, exception)).FirstOrDefault(p => p is not null),
        };

        if (problem is null)
        {
            LogUnhandled(logger, exception, context.Request.Method, context.Request.Path);
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Type = ProblemTypes.Unexpected,
                Title = "Unexpected error",
                Detail = "The server could not complete the request. Quote the trace_id when reporting it.",
            };
        }

        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private static ProblemDetails FromKnown(HttpContext context, ProblemException known)
    {
        if (known.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var problem = new ProblemDetails { Status = known.Status, Type = known.Type, Title = known.Title, Detail = known.Detail };
        foreach (var (key, value) in known.Extensions)
        {
            problem.Extensions[key] = value;
        }
        return problem;
    }

    /// <summary>Names the field when the body was bad JSON (<c>$.action</c>), else the framework's own sentence.</summary>
    private static string DescribeBadRequest(BadHttpRequestException bad) => bad.InnerException switch
    {
        JsonException { Path: { Length: > 0 } path } json => $"The JSON body is invalid at '{path}': {FirstSentence(json.Message)}",
        JsonException => "The request body is not valid JSON.",
        _ => bad.Message,
    };

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}

/// <summary>
/// Lets a service say what one of its own exceptions means to the caller (e.g. an unreachable database is a 503).
/// Return null for exceptions that are not yours; set response headers on <paramref name="context"/> if needed.
/// </summary>
public interface IExceptionProblemMapper
{
    ProblemDetails? Map(HttpContext context, Exception exception);
}
