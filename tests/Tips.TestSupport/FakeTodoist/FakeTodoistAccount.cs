using System.Text.Json.Nodes;

namespace Tips.TestSupport.FakeTodoist;

/// <summary>How the fake answers requests that carry one token.</summary>
public enum FakeTodoistBehavior
{
    /// <summary>200 with the account's data.</summary>
    Ok,

    /// <summary>401, as Todoist answers a wrong token.</summary>
    Unauthorized,

    /// <summary>403, as Todoist has also answered a bad token.</summary>
    Forbidden,

    /// <summary>429 with <c>Retry-After</c> and the reference error body.</summary>
    RateLimited,

    /// <summary>500 with an error body.</summary>
    ServerError,

    /// <summary>Holds the request until the client gives up, the server is told to release it, or 30 s pass.</summary>
    Slow,
}

/// <summary>One Todoist account of the fake, reached with its token. Change it before the requests it should shape.</summary>
public sealed class FakeTodoistAccount
{
    private readonly Lock _gate = new();
    private int _serverErrorsFirst;

    internal FakeTodoistAccount(string token) => Token = token;

    public string Token { get; }

    /// <summary>What <c>GET /user</c> reports as <c>tz_info.timezone</c>.</summary>
    public string Timezone { get; set; } = "Europe/Madrid";

    public FakeTodoistBehavior Behavior { get; set; } = FakeTodoistBehavior.Ok;

    /// <summary>The wait a 429 asks for, in the header and in <c>error_extra.retry_after</c>.</summary>
    public int RetryAfterSeconds { get; set; } = 66;

    /// <summary>Whether a 429 carries the <c>Retry-After</c> header (the body always has <c>retry_after</c>).</summary>
    public bool SendRetryAfterHeader { get; set; } = true;

    /// <summary>Tasks per page, below the request's <c>limit</c>, so that a few tasks already page.</summary>
    public int PageSize { get; set; } = 2;

    /// <summary>Each page after the first starts with the previous page's last task, as when data shifts between pages.</summary>
    public bool DuplicateAcrossPages { get; set; }

    /// <summary>The active tasks, in the reference shape; the four reference tasks unless replaced.</summary>
    public List<JsonObject> Tasks { get; } = FakeTodoistData.ReferenceTasks();

    /// <summary>Answer this many of the next requests with 500, then behave as <see cref="Behavior"/> says.</summary>
    public int ServerErrorsFirst
    {
        get { lock (_gate) { return _serverErrorsFirst; } }
        set { lock (_gate) { _serverErrorsFirst = value; } }
    }

    internal bool TakeServerError()
    {
        lock (_gate)
        {
            if (_serverErrorsFirst <= 0)
            {
                return false;
            }
            _serverErrorsFirst--;
            return true;
        }
    }

    internal JsonObject[] TasksNow()
    {
        lock (Tasks)
        {
            return [.. Tasks.Select(t => t.DeepClone().AsObject())];
        }
    }
}
