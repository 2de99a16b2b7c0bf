using System.Collections.Frozen;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Tips.Serving.Llm;

/// <summary>
/// Names the concrete model behind a deployment id (<c>x-litellm-model-id</c>) from the gateway's
/// <c>GET /v1/model/info</c> (<c>model_info.id</c> → <c>litellm_params.model</c>), reusing the answer for
/// <see cref="GatewayOptions.ModelInfoTtl"/>. An id it cannot name stays unnamed: it never guesses.
/// </summary>
internal sealed class ModelCatalog(
    IHttpClientFactory httpClients,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<ModelCatalog> logger)
{
    public const string HttpClientName = "gateway-info";

    /// <summary>An unknown id may mean a deployment added since the last look; look again, but not on every call.</summary>
    private static readonly TimeSpan UnknownIdRecheck = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(3);

    private readonly SemaphoreSlim _fetching = new(1, 1);
    private Snapshot? _snapshot;

    public async Task<string?> ResolveAsync(string? modelId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(modelId))
        {
            return null;
        }

        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is not null && Fresh(snapshot, modelId))
        {
            return snapshot.Models.GetValueOrDefault(modelId);
        }

        await _fetching.WaitAsync(cancellationToken);
        try
        {
            snapshot = Volatile.Read(ref _snapshot);
            if (snapshot is null || !Fresh(snapshot, modelId))
            {
                snapshot = await FetchAsync(snapshot, cancellationToken);
                Volatile.Write(ref _snapshot, snapshot);
            }
            return snapshot.Models.GetValueOrDefault(modelId);
        }
        finally
        {
            _fetching.Release();
        }
    }

    private bool Fresh(Snapshot snapshot, string modelId)
    {
        var age = time.GetUtcNow() - snapshot.TakenAt;
        return age < options.Value.ModelInfoTtl && (snapshot.Models.ContainsKey(modelId) || age < UnknownIdRecheck);
    }

    private async Task<Snapshot> FetchAsync(Snapshot? previous, CancellationToken cancellationToken)
    {
        var gateway = options.Value;
        using var timeout = new CancellationTokenSource(FetchTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway.BaseUri, "v1/model/info"));
            if (gateway.HasMasterKey)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", gateway.MasterKey);
            }
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                ServingLog.ModelInfoFailed(logger, $"status {(int)response.StatusCode}");
                return previous is null ? Snapshot.Empty(time.GetUtcNow()) : previous with { TakenAt = time.GetUtcNow() };
            }

            await using var body = await response.Content.ReadAsStreamAsync(linked.Token);
            using var document = await JsonDocument.ParseAsync(body, cancellationToken: linked.Token);
            return new Snapshot(Parse(document.RootElement), time.GetUtcNow());
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or InvalidOperationException ||
                                  (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Naming the model is a nicety: a failed look leaves it unnamed and is not tried again at once.
            ServingLog.ModelInfoFailed(logger, e.GetType().Name);
            return previous is null ? Snapshot.Empty(time.GetUtcNow()) : previous with { TakenAt = time.GetUtcNow() };
        }
    }

    /// <summary><c>{"data":[{"model_name","litellm_params":{"model"},"model_info":{"id"}}]}</c> → id → model.</summary>
    internal static FrozenDictionary<string, string> Parse(JsonElement root)
    {
        var models = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            foreach (var deployment in data.EnumerateArray())
            {
                if (deployment.ValueKind == JsonValueKind.Object &&
                    deployment.TryGetProperty("model_info", out var info) && info.ValueKind == JsonValueKind.Object &&
                    info.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String &&
                    deployment.TryGetProperty("litellm_params", out var parameters) && parameters.ValueKind == JsonValueKind.Object &&
                    parameters.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String &&
                    model.GetString() is { Length: > 0 } name)
                {
                    models[id.GetString()!] = name;
                }
            }
        }
        return models.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed record Snapshot(FrozenDictionary<string, string> Models, DateTimeOffset TakenAt)
    {
        public static Snapshot Empty(DateTimeOffset at) => new(FrozenDictionary<string, string>.Empty, at);
    }
}
