using System.Globalization;
using System.Net.Sockets;

namespace Tips.Doctor.Checks;

/// <summary>Plain words for what went wrong on the way to a peer.</summary>
internal static class Network
{
    public static string Describe(HttpRequestException error) => error.HttpRequestError switch
    {
        HttpRequestError.NameResolutionError => "its host name does not resolve",
        HttpRequestError.ConnectionError when error.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused } =>
            "the connection was refused: nothing listens there",
        HttpRequestError.ConnectionError => "the connection could not be made",
        HttpRequestError.SecureConnectionError => "the TLS handshake failed",
        HttpRequestError.ResponseEnded => "it closed the connection without an answer",
        HttpRequestError.ProxyTunnelError => "the HTTP proxy would not open a tunnel to it",
        HttpRequestError.InvalidResponse => "its answer is not HTTP",
        _ => "the request could not be sent",
    };

    public static string Seconds(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.###} s");

    public static double Milliseconds(TimeSpan span) => Math.Round(span.TotalMilliseconds, 1);

    public static Uri Under(string baseUrl, string relative) => new(new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/"), relative);
}

/// <summary>A token that fires after <c>wait</c> on the injected clock, or when the caller cancels.</summary>
internal sealed class Expiry : IDisposable
{
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenSource _linked;

    public Expiry(TimeSpan wait, TimeProvider time, CancellationToken outer)
    {
        _timer = new CancellationTokenSource(wait, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(outer, _timer.Token);
    }

    public CancellationToken Token => _linked.Token;

    public void Dispose()
    {
        _linked.Dispose();
        _timer.Dispose();
    }
}
