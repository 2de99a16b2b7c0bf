using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Tips.TestSupport.FakeTodoist;

/// <summary>One request the fake received.</summary>
/// <param name="Authorization">The <c>Authorization</c> header as sent.</param>
public sealed record FakeTodoistRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query, string? Authorization)
{
    /// <summary>The token of a <c>Bearer</c> header, else null.</summary>
    public string? BearerToken =>
        Authorization is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : null;
}

/// <summary>
/// Todoist API v1 on a real Kestrel server at 127.0.0.1 on a free port: <c>GET /api/v1/tasks</c> (cursor paging,
/// <c>limit</c> 1..200) and <c>GET /api/v1/user</c>, in the reference payload shapes, with per-token behaviour
/// (<see cref="FakeTodoistAccount"/>) and every request recorded. A token it does not know gets 401, like Todoist.
/// REST v2 paths answer 410, as they do since Todoist shut that API down.
/// </summary>
public sealed class FakeTodoistServer : IAsyncDisposable
{
    public const string Prefix = "/api/v1";

    private readonly ConcurrentDictionary<string, FakeTodoistAccount> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeTodoistRequest> _requests = new();
    private readonly CancellationTokenSource _release = new();
    private WebApplication? _app;
    private long _requestCount;

    private FakeTodoistServer()
    {
    }

    /// <summary>The base URL to give as <c>TODOIST_API_URL</c>, e.g. <c>http://127.0.0.1:41234/api/v1</c>.</summary>
    public string ApiUrl { get; private set; } = "";

    /// <summary>How long a <see cref="FakeTodoistBehavior.Slow"/> request is held at most.</summary>
    public TimeSpan SlowFor { get; set; } = TimeSpan.FromSeconds(30);

    public IReadOnlyList<FakeTodoistRequest> Requests => [.. _requests];

    /// <summary>When false, requests are answered but not kept (a long load run would otherwise hold every one);
    /// <see cref="Requests"/> stays empty and only <see cref="RequestCount"/> counts them.</summary>
    public bool RecordRequests { get; set; } = true;

    /// <summary>Requests received so far, recorded or not.</summary>
    public long RequestCount => Interlocked.Read(ref _requestCount);

    public static async Task<FakeTodoistServer> StartAsync()
    {
        var server = new FakeTodoistServer();
        var app = LoopbackApp.Create();

        app.MapGet(Prefix + "/tasks", server.TasksAsync);
        app.MapGet(Prefix + "/user", server.UserAsync);
        app.Map("/rest/v2/{**rest}", (HttpContext http) =>
            Json(http, 410, FakeTodoistData.Error(410, "This API is deprecated", "DEPRECATED")));
        app.MapFallback((HttpContext http) => Json(http, 404, FakeTodoistData.Error(404, "Not found", "NOT_FOUND")));

        var address = await LoopbackApp.StartAsync(app);
        server.ApiUrl = address.ToString().TrimEnd('/') + Prefix;
        server._app = app;
        return server;
    }

    /// <summary>The account reached with <paramref name="token"/>, made on first use (behaving <see cref="FakeTodoistBehavior.Ok"/>).</summary>
    public FakeTodoistAccount Account(string token) => _accounts.GetOrAdd(token, t => new FakeTodoistAccount(t));

    /// <summary>The requests that carried <paramref name="token"/> as their Bearer token.</summary>
    public IReadOnlyList<FakeTodoistRequest> RequestsWith(string token) => [.. _requests.Where(r => r.BearerToken == token)];

    /// <summary>Waits (a few seconds at most) until a request matching <paramref name="match"/> has arrived.</summary>
    public async Task WaitForRequestAsync(Func<FakeTodoistRequest, bool> match, TimeSpan? within = null)
    {
        using var giveUp = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(10));
        while (!_requests.Any(match))
        {
            if (giveUp.IsCancellationRequested)
            {
                throw new TimeoutException("The fake Todoist did not receive the expected request.");
            }
            await Task.Delay(10, CancellationToken.None);
        }
    }

    /// <summary>Lets every held <see cref="FakeTodoistBehavior.Slow"/> request (and later ones) answer now.</summary>
    public void ReleaseSlowRequests() => _release.Cancel();

    private async Task TasksAsync(HttpContext http)
    {
        if (await RefuseAsync(http) is not { } account)
        {
            return;
        }

        var query = http.Request.Query;
        var limit = 50;
        if (query.TryGetValue("limit", out var limitText) &&
            (!int.TryParse(limitText, NumberStyles.Integer, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 200))
        {
            await Json(http, 400, FakeTodoistData.Error(400, "Invalid argument value", "INVALID_ARGUMENT_VALUE",
                new JsonObject { ["argument"] = "limit", ["expected"] = "1..200" }));
            return;
        }

        var offset = 0;
        if (query.TryGetValue("cursor", out var cursor) && !TryReadCursor(cursor.ToString(), out offset))
        {
            await Json(http, 400, FakeTodoistData.Error(400, "Invalid argument value", "INVALID_ARGUMENT_VALUE",
                new JsonObject { ["argument"] = "cursor" }));
            return;
        }

        var tasks = account.TasksNow();
        var size = Math.Max(1, Math.Min(limit, account.PageSize));
        var page = tasks.Skip(offset).Take(size).ToArray();
        var next = offset + size;
        if (account.DuplicateAcrossPages && size > 1)
        {
            next--;
        }

        await Json(http, 200, new JsonObject
        {
            ["results"] = new JsonArray([.. page]),
            ["next_cursor"] = next < tasks.Length ? Cursor(next) : null,
        });
    }

    private async Task UserAsync(HttpContext http)
    {
        if (await RefuseAsync(http) is not { } account)
        {
            return;
        }

        var user = FakeTodoistData.User();
        user["tz_info"]!["timezone"] = account.Timezone;
        user["token"] = account.Token; // the real API echoes the token in this body
        await Json(http, 200, user);
    }

    /// <summary>Records the request, applies the token's behaviour, and returns its account when it should be served.</summary>
    private async Task<FakeTodoistAccount?> RefuseAsync(HttpContext http)
    {
        var request = new FakeTodoistRequest(
            http.Request.Method,
            http.Request.Path.Value ?? "",
            http.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()),
            http.Request.Headers.Authorization.FirstOrDefault());
        Interlocked.Increment(ref _requestCount);
        if (RecordRequests)
        {
            _requests.Enqueue(request);
        }

        if (request.BearerToken is not { } token || !_accounts.TryGetValue(token, out var account))
        {
            await Json(http, 401, FakeTodoistData.Error(401, "Invalid token", "AUTH_INVALID_TOKEN"));
            return null;
        }

        if (account.TakeServerError())
        {
            await Json(http, 500, FakeTodoistData.Error(500, "Internal server error", "INTERNAL_SERVER_ERROR"));
            return null;
        }

        switch (account.Behavior)
        {
            case FakeTodoistBehavior.Unauthorized:
                await Json(http, 401, FakeTodoistData.Error(401, "Invalid token", "AUTH_INVALID_TOKEN"));
                return null;
            case FakeTodoistBehavior.Forbidden:
                await Json(http, 403, FakeTodoistData.Error(403, "Forbidden", "AUTH_INSUFFICIENT_TOKEN_SCOPE"));
                return null;
            case FakeTodoistBehavior.RateLimited:
                var body = FakeTodoistData.RateLimitError();
                body["error_extra"]!["retry_after"] = account.RetryAfterSeconds;
                if (account.SendRetryAfterHeader)
                {
                    http.Response.Headers.RetryAfter = account.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                }
                await Json(http, 429, body);
                return null;
            case FakeTodoistBehavior.ServerError:
                await Json(http, 500, FakeTodoistData.Error(500, "Internal server error", "INTERNAL_SERVER_ERROR"));
                return null;
            case FakeTodoistBehavior.Slow:
                using (var held = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _release.Token))
                {
                    try
                    {
                        await Task.Delay(SlowFor, held.Token);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
                return http.RequestAborted.IsCancellationRequested ? null : account;
            default:
                return account;
        }
    }

    private static string Cursor(int offset) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"offset:{offset}"));

    private static bool TryReadCursor(string cursor, out int offset)
    {
        offset = 0;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            return text.StartsWith("offset:", StringComparison.Ordinal) &&
                   int.TryParse(text["offset:".Length..], NumberStyles.Integer, CultureInfo.InvariantCulture, out offset) && offset >= 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static Task Json(HttpContext http, int status, JsonNode body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(body.ToJsonString(), http.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        _release.Cancel();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        _release.Dispose();
    }
}
