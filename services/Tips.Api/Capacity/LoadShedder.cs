using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Tips.Api.Extensions;
using Tips.ServiceDefaults;

namespace Tips.Api.Capacity;

/// <summary>
/// Bounds how many <c>GET /tips</c> one process works on at once (<c>RateLimits__TipsInFlight</c>) and how many more
/// may wait for a slot (<c>RateLimits__TipsQueued</c>); beyond that a request is refused at once with 503 and
/// <c>Retry-After</c>. Without it, a load above capacity queues without bound: every request gets slow, the
/// connection pool runs dry and memory grows with the queue. Refused requests have served nothing and logged nothing.
/// A request gives its slot back while it waits for an outside service (<see cref="WorkSlot"/>): the limit bounds
/// the work on this machine, and a wait for the LLM or Todoist is bounded by its own deadline.
/// </summary>
internal sealed partial class LoadShedder : IDisposable
{
    private readonly ConcurrencyLimiter _slots;
    private readonly TipsApiMetrics _metrics;
    private readonly ILogger<LoadShedder> _logger;

    public LoadShedder(IOptions<RateLimitOptions> options, TipsApiMetrics metrics, ILogger<LoadShedder> logger)
    {
        _slots = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.Value.TipsInFlight,
            QueueLimit = options.Value.TipsQueued,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>The endpoint filter: the handler runs holding a slot, or the caller gets 503 overloaded.</summary>
    public static async ValueTask<object?> ShedAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var shedder = http.RequestServices.GetRequiredService<LoadShedder>();
        var lease = await shedder._slots.AcquireAsync(1, http.RequestAborted);
        if (lease.IsAcquired)
        {
            var slot = http.RequestServices.GetRequiredService<WorkSlot>();
            slot.Hold(lease);
            try
            {
                return await next(context);
            }
            finally
            {
                slot.GiveBack();
            }
        }
        lease.Dispose();

        shedder._metrics.Shed();
        shedder.LogShed();
        return RetryLater.Problem(http, StatusCodes.Status503ServiceUnavailable, ProblemTypes.Overloaded, "Too busy",
            "The service is at capacity", RetryAfter);
    }

    /// <summary>A second is long enough for a burst to drain at hundreds of requests per second.</summary>
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    public void Dispose() => _slots.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "GET /tips refused: all in-flight slots and queue places are taken")]
    private partial void LogShed();
}

/// <summary>
/// The load shedder's slot held by this request (scoped). Code about to wait on an outside service calls
/// <see cref="GiveBack"/> so the wait does not keep another request from working; the request then finishes without
/// one (what is left is scoring and a shared commit).
/// </summary>
internal sealed class WorkSlot
{
    private RateLimitLease? _lease;

    public void Hold(RateLimitLease lease) => _lease = lease;

    /// <summary>Lets the next request in; harmless when no slot is held (another endpoint, or already given back).</summary>
    public void GiveBack() => Interlocked.Exchange(ref _lease, null)?.Dispose();
}
