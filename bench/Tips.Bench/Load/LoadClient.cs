using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Tips.Bench.Seeding;

namespace Tips.Bench.Load;

/// <summary>
/// The load generator's HTTP client: one <see cref="SocketsHttpHandler"/> with no connection cap (an open-loop
/// request never waits for another one's connection), no cookies, no proxy. Bodies are read before the answer counts.
/// </summary>
internal sealed class LoadClient : ITipsClient, IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient _http;

    public LoadClient(Uri baseAddress, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = timeout };
    }

    public Uri BaseAddress => _http.BaseAddress!;

    public ValueTask<Answer> GetTipsAsync(BenchUser user, CancellationToken cancellationToken) =>
        new(SendAsync(Request(HttpMethod.Get, "/tips", user), readBody: true, cancellationToken));

    public ValueTask<Answer> PostFeedbackAsync(BenchUser user, Guid tipId, string action, long dwellMs, CancellationToken cancellationToken)
    {
        var request = Request(HttpMethod.Post, $"/tips/{tipId}/feedback", user);
        request.Content = Body(FeedbackJson(action, dwellMs));
        return new(SendAsync(request, readBody: false, cancellationToken));
    }

    /// <summary>A feedback post's body.</summary>
    public static string FeedbackJson(string action, long dwellMs) =>
        $$"""{"action":"{{action}}","dwell_ms":{{dwellMs.ToString(CultureInfo.InvariantCulture)}}}""";

    /// <summary><c>PUT /integrations/todoist</c>: the API checks the token with (fake) Todoist and stores it encrypted.</summary>
    public Task<Answer> ConnectTodoistAsync(BenchUser user, CancellationToken cancellationToken)
    {
        var request = Request(HttpMethod.Put, "/integrations/todoist", user);
        request.Content = Body($$"""{"token":"{{user.TodoistToken}}"}""");
        return SendAsync(request, readBody: false, cancellationToken);
    }

    public Task<Answer> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path), readBody: false, cancellationToken);

    private static HttpRequestMessage Request(HttpMethod method, string path, BenchUser user)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("Authorization", user.Authorization);
        return request;
    }

    private static ByteArrayContent Body(string json)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = Json;
        return content;
    }

    private async Task<Answer> SendAsync(HttpRequestMessage request, bool readBody, CancellationToken cancellationToken)
    {
        using (request)
        {
            try
            {
                // The whole body is read (under the timeout) before the answer counts.
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                return new Answer((int)response.StatusCode, readBody || !response.IsSuccessStatusCode ? body : null, FailureKind.None);
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new Answer(0, null, FailureKind.Timeout);
            }
            catch (HttpRequestException)
            {
                return new Answer(0, null, FailureKind.Transport);
            }
        }
    }

    public void Dispose() => _http.Dispose();
}
