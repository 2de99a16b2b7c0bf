using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tips.Serving.Llm;

namespace Tips.Doctor.Checks;

/// <summary>
/// The LiteLLM gateway at <c>LITELLM_URL</c>, as Tips.Serving uses it: alive, the master key accepted (and required),
/// every alias the options name listed by <c>GET /v1/models</c>, one tiny completion through <c>Gateway__Alias</c>
/// that parses by Tips.Serving's own rules, and which concrete model answered. Only the gateway, only by alias.
/// </summary>
internal sealed class GatewayChecks(HttpClient http, GatewayOptions gateway, DoctorOptions doctor, TimeProvider time)
{
    private const string Alive = "Gateway alive";
    private const string Key = "Master key";
    private const string Aliases = "Aliases listed";
    private const string Completion = "Test completion";
    private const string Model = "Model that answered";
    private const int MaxMessage = 300;

    private const string StartFix =
        "Start the gateway (docker compose --profile ai up -d litellm) or point LITELLM_URL at it. Until then Tips serves " +
        "task and fallback tips only.";

    private const string KeyFix =
        "Set LITELLM_MASTER_KEY to the gateway's master key (its general_settings.master_key, which infra/litellm/litellm_config.yaml " +
        "reads from the gateway's own LITELLM_MASTER_KEY) and restart Tips.Serving.";

    // A tiny request in the shape Tips.Serving sends (alias, JSON mode, its token limit), answered in the shape its parser reads.
    private const string SystemPrompt =
        "You write short, practical tips. Answer with JSON only, exactly in this shape: " +
        "{\"tips\":[{\"content\":\"<the tip, one sentence>\",\"kind\":\"advice\",\"rationale\":\"<why it helps, one sentence>\"}]}";

    private const string UserPrompt = "Write one tip for someone about to start their working day.";

    public async Task<IReadOnlyList<CheckResult>> RunAsync(CancellationToken cancellationToken)
    {
        var results = new List<CheckResult>();
        var (alive, answered) = await AliveAsync(cancellationToken);
        results.Add(alive);
        if (!answered)
        {
            results.Add(CheckResult.Skip(CheckIds.GatewayKey, Key, "Skipped: the gateway does not answer."));
            results.Add(CheckResult.Skip(CheckIds.GatewayAliases, Aliases, "Skipped: the gateway does not answer."));
            results.Add(CheckResult.Skip(CheckIds.GatewayCompletion, Completion, "Skipped: the gateway does not answer."));
            results.Add(CheckResult.Skip(CheckIds.GatewayModel, Model, "Skipped: the gateway does not answer."));
            return results;
        }

        var (key, listed) = await KeyAsync(cancellationToken);
        results.Add(key);
        var aliases = AliasesListed(key, listed);
        results.Add(aliases);

        if (key.Status != CheckStatus.Pass)
        {
            results.Add(CheckResult.Skip(CheckIds.GatewayCompletion, Completion, "Skipped: the gateway does not accept the key."));
            results.Add(CheckResult.Skip(CheckIds.GatewayModel, Model, "Skipped: the gateway does not accept the key."));
            return results;
        }
        if (listed is not null && !listed.Contains(gateway.Alias))
        {
            results.Add(CheckResult.Skip(CheckIds.GatewayCompletion, Completion, $"Skipped: the gateway does not list {gateway.Alias}."));
            results.Add(CheckResult.Skip(CheckIds.GatewayModel, Model, $"Skipped: the gateway does not list {gateway.Alias}."));
            return results;
        }

        var (completion, modelId) = await CompletionAsync(cancellationToken);
        results.Add(completion);
        results.Add(completion.Details.ContainsKey("finish_reason")
            ? await ModelAsync(modelId, cancellationToken)
            : CheckResult.Skip(CheckIds.GatewayModel, Model, "Skipped: the test completion got no answer."));
        return results;
    }

    private async Task<(CheckResult Result, bool Answered)> AliveAsync(CancellationToken cancellationToken)
    {
        var probe = new Uri(gateway.BaseUri, "health/liveliness");
        var started = time.GetTimestamp();
        try
        {
            using var timeout = Timeout(doctor.Timeout, cancellationToken);
            using var response = await http.GetAsync(probe, timeout.Token);
            var latency = Network.Milliseconds(time.GetElapsedTime(started));
            return response.IsSuccessStatusCode
                ? (CheckResult.Pass(CheckIds.GatewayAlive, Alive, $"The gateway at {gateway.BaseUri} answers its liveness probe.") with { LatencyMs = latency }, true)
                : (CheckResult.Fail(CheckIds.GatewayAlive, Alive,
                    $"The gateway at {gateway.BaseUri} answered {(int)response.StatusCode} to GET /health/liveliness.",
                    "Check that LITELLM_URL names the LiteLLM proxy itself (not the model server) and look at its log " +
                    "(docker compose logs litellm).") with { LatencyMs = latency }, true);
        }
        catch (HttpRequestException e)
        {
            return (CheckResult.Fail(CheckIds.GatewayAlive, Alive, $"No gateway answers at {gateway.BaseUri}: {Network.Describe(e)}.", StartFix), false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (CheckResult.Fail(CheckIds.GatewayAlive, Alive,
                $"The gateway at {gateway.BaseUri} did not answer its liveness probe within {Network.Seconds(doctor.Timeout)}.", StartFix), false);
        }
    }

    /// <summary>The key is accepted by <c>GET /v1/models</c> (which also lists the aliases) and, when set, required.</summary>
    private async Task<(CheckResult Result, IReadOnlyList<string>? Listed)> KeyAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        Answer answer;
        try
        {
            answer = await SendAsync(HttpMethod.Get, "v1/models", null, withKey: true, doctor.Timeout, cancellationToken);
        }
        catch (Exception e) when (Unanswered(e, cancellationToken))
        {
            return (CheckResult.Fail(CheckIds.GatewayKey, Key, $"GET /v1/models got no answer: {Reason(e, doctor.Timeout)}.", StartFix), null);
        }
        var latency = Network.Milliseconds(time.GetElapsedTime(started));

        if (answer.Status is 401 or 403 || (answer.Status == 400 && answer.Body.Contains("no_db_connection", StringComparison.Ordinal)))
        {
            // The gateway's own message is never passed on here: it quotes the end of the key it was sent.
            return (gateway.HasMasterKey
                ? CheckResult.Fail(CheckIds.GatewayKey, Key, $"The gateway refused LITELLM_MASTER_KEY ({answer.Status}).", KeyFix)
                : CheckResult.Fail(CheckIds.GatewayKey, Key, $"The gateway wants a key ({answer.Status}) and LITELLM_MASTER_KEY is not set.", KeyFix),
                null);
        }
        if (answer.Status != 200)
        {
            return (CheckResult.Fail(CheckIds.GatewayKey, Key, $"GET /v1/models answered {answer.Status}{Said(answer)}",
                "Check that LITELLM_URL names the LiteLLM proxy (its base URL, without /v1)."), null);
        }

        var listed = ModelIds(answer.Body);
        if (!gateway.HasMasterKey)
        {
            return (CheckResult.Pass(CheckIds.GatewayKey, Key, "The gateway runs open: it wants no key, and LITELLM_MASTER_KEY is not set.")
                with { LatencyMs = latency }, listed);
        }

        // A proxy whose master_key is not under general_settings accepts any key, or none: ours proves nothing then.
        Answer keyless;
        try
        {
            keyless = await SendAsync(HttpMethod.Get, "v1/models", null, withKey: false, doctor.Timeout, cancellationToken);
        }
        catch (Exception e) when (Unanswered(e, cancellationToken))
        {
            return (CheckResult.Fail(CheckIds.GatewayKey, Key, $"GET /v1/models without a key got no answer: {Reason(e, doctor.Timeout)}.", StartFix), listed);
        }
        if (keyless.Status == 200)
        {
            return (CheckResult.Fail(CheckIds.GatewayKey, Key,
                "The gateway answers without any key: its master key is not in force, so anyone who reaches it can use it.",
                "Put master_key under general_settings in infra/litellm/litellm_config.yaml (anywhere else LiteLLM ignores it), " +
                "set the gateway's LITELLM_MASTER_KEY, and restart LiteLLM.") with { LatencyMs = latency }, listed);
        }
        return (CheckResult.Pass(CheckIds.GatewayKey, Key,
            $"The gateway accepts LITELLM_MASTER_KEY and refuses requests without it ({keyless.Status}).") with { LatencyMs = latency }, listed);
    }

    private CheckResult AliasesListed(CheckResult key, IReadOnlyList<string>? listed)
    {
        if (key.Status != CheckStatus.Pass && listed is null)
        {
            return CheckResult.Skip(CheckIds.GatewayAliases, Aliases, "Skipped: the gateway did not list its models.");
        }
        if (listed is null)
        {
            return CheckResult.Fail(CheckIds.GatewayAliases, Aliases, "GET /v1/models did not answer with a model list ({\"data\":[{\"id\":…}]}).",
                "Check that LITELLM_URL names the LiteLLM proxy (its base URL, without /v1).");
        }

        string[] wanted = [gateway.Alias, .. doctor.ExtraAliases.Where(a => a != gateway.Alias)];
        var missing = wanted.Where(a => !listed.Contains(a)).ToList();
        var lists = listed.Count == 0 ? "none" : string.Join(", ", listed);
        if (missing.Count > 0)
        {
            var aliases = string.Join(", ", missing);
            return CheckResult.Fail(CheckIds.GatewayAliases, Aliases,
                    $"The gateway does not list {aliases} (it lists: {lists}).",
                    $"Add a model_list entry with model_name: {missing[0]} to infra/litellm/litellm_config.yaml and restart LiteLLM " +
                    "(docker compose --profile ai up -d litellm), or name an alias it lists (Gateway__Alias, Doctor__Aliases).")
                .With("missing", string.Join(",", missing))
                .With("listed", string.Join(",", listed));
        }
        return CheckResult.Pass(CheckIds.GatewayAliases, Aliases, $"The gateway lists {string.Join(", ", wanted)} (it lists: {lists}).")
            .With("listed", string.Join(",", listed));
    }

    private async Task<(CheckResult Result, string? ModelId)> CompletionAsync(CancellationToken cancellationToken)
    {
        var alias = gateway.Alias;
        var body = new JsonObject
        {
            ["model"] = alias,
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = SystemPrompt },
                new JsonObject { ["role"] = "user", ["content"] = UserPrompt }),
            ["max_completion_tokens"] = gateway.MaxOutputTokens,
            ["response_format"] = new JsonObject { ["type"] = "json_object" },
        };

        var started = time.GetTimestamp();
        Answer answer;
        try
        {
            answer = await SendAsync(HttpMethod.Post, "v1/chat/completions", body, withKey: true, doctor.CompletionTimeout, cancellationToken);
        }
        catch (Exception e) when (Unanswered(e, cancellationToken))
        {
            return (CheckResult.Fail(CheckIds.GatewayCompletion, Completion, $"{alias} gave no answer: {Reason(e, doctor.CompletionTimeout)}.",
                "A local model's first answer can take long while it loads: run ./tips doctor again. If it keeps failing, look at the " +
                "model server (docker compose logs ollama) and the gateway (docker compose logs litellm)."), null);
        }
        var latency = Network.Milliseconds(time.GetElapsedTime(started));
        var modelId = answer.Header("x-litellm-model-id");

        if (answer.Status != 200)
        {
            return (Failed(answer, alias) with { LatencyMs = latency }, modelId);
        }

        string? content, finish, tokens;
        try
        {
            using var document = JsonDocument.Parse(answer.Body);
            var choice = document.RootElement.GetProperty("choices")[0];
            var message = choice.GetProperty("message");
            content = message.TryGetProperty("content", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString() : "";
            finish = choice.TryGetProperty("finish_reason", out var reason) && reason.ValueKind == JsonValueKind.String ? reason.GetString() : "none";
            tokens = document.RootElement.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object &&
                     usage.TryGetProperty("total_tokens", out var total) && total.ValueKind == JsonValueKind.Number
                ? total.GetRawText()
                : null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return (CheckResult.Fail(CheckIds.GatewayCompletion, Completion,
                $"The answer from {gateway.BaseUri} is not an OpenAI chat completion.",
                "Check that LITELLM_URL names the LiteLLM proxy (its base URL, without /v1), not another server.") with { LatencyMs = latency }, modelId);
        }

        var reply = TipReplyParser.Parse(content ?? "", 1, new HashSet<string>());
        var result = reply.IsUsable
            ? CheckResult.Pass(CheckIds.GatewayCompletion, Completion,
                $"{alias} answered in {latency.ToString("0", CultureInfo.InvariantCulture)} ms with a usable tip: \"{Short(reply.Tips[0].Content)}\".")
            : CheckResult.Fail(CheckIds.GatewayCompletion, Completion,
                $"{alias} answered, but its reply is not usable: {reply.Error} (finish_reason: {finish}).",
                finish == "length"
                    ? "The reply was cut off at Gateway__MaxOutputTokens: raise it, or choose a model for the alias that answers more briefly " +
                      "(model_list in infra/litellm/litellm_config.yaml)."
                    : $"The model behind {alias} does not answer in the JSON Tips needs. Run ./tips doctor again; if it persists, choose " +
                      "another model for the alias in infra/litellm/litellm_config.yaml (Tips.Serving repairs such replies, at the " +
                      "cost of more model calls).");
        result = (result with { LatencyMs = latency }).With("finish_reason", finish).With("total_tokens", tokens);
        return (result, modelId);
    }

    private CheckResult Failed(Answer answer, string alias)
    {
        var message = answer.Status is 401 or 403 ? null : GatewayMessage(answer.Body);
        return answer.Status switch
        {
            401 or 403 => CheckResult.Fail(CheckIds.GatewayCompletion, Completion, $"The gateway refused the key for a completion ({answer.Status}).", KeyFix),
            400 when message?.Contains("Invalid model name", StringComparison.OrdinalIgnoreCase) == true =>
                CheckResult.Fail(CheckIds.GatewayCompletion, Completion, $"The gateway has no alias {alias} (400).",
                    $"Add a model_list entry with model_name: {alias} to infra/litellm/litellm_config.yaml and restart LiteLLM, or fix Gateway__Alias."),
            408 or 504 => CheckResult.Fail(CheckIds.GatewayCompletion, Completion, $"The model behind {alias} timed out at the gateway ({answer.Status}){Said(answer)}",
                "A local model may still be loading: run ./tips doctor again. If it persists, look at the model server (docker compose logs ollama)."),
            429 => CheckResult.Fail(CheckIds.GatewayCompletion, Completion,
                $"The gateway is rate limiting {alias} (429{(answer.Header("retry-after") is { } wait ? $", retry after {wait} s" : "")}){Said(answer)}",
                "Wait and run ./tips doctor again; if every deployment is cooling down, look at router_settings and the model server's limits."),
            >= 500 => CheckResult.Fail(CheckIds.GatewayCompletion, Completion,
                $"The gateway got no answer from the model behind {alias} ({answer.Status}){Said(answer)}",
                "Check that the model server behind the alias runs and that the gateway reaches it (api_base in infra/litellm/litellm_config.yaml; " +
                "docker compose --profile ai ps; docker compose logs litellm)."),
            _ => CheckResult.Fail(CheckIds.GatewayCompletion, Completion, $"The gateway refused the test completion ({answer.Status}){Said(answer)}",
                "Read the gateway's message above; docker compose logs litellm has the details."),
        };
    }

    /// <summary>Names the deployment behind <c>x-litellm-model-id</c> from <c>GET /v1/model/info</c>, as Tips.Serving does.</summary>
    private async Task<CheckResult> ModelAsync(string? modelId, CancellationToken cancellationToken)
    {
        if (modelId is null)
        {
            return CheckResult.Fail(CheckIds.GatewayModel, Model,
                "The gateway did not say which deployment answered (no x-litellm-model-id header), so tip_scores.llm_model cannot name the model.",
                "Run LiteLLM 1.81.7 or newer (docker-compose.yml pins its image), and let any proxy in front of it pass the x-litellm-* headers through.");
        }

        Answer answer;
        try
        {
            answer = await SendAsync(HttpMethod.Get, "v1/model/info", null, withKey: true, doctor.Timeout, cancellationToken);
        }
        catch (Exception e) when (Unanswered(e, cancellationToken))
        {
            return CheckResult.Fail(CheckIds.GatewayModel, Model, $"GET /v1/model/info got no answer: {Reason(e, doctor.Timeout)}.",
                "Run ./tips doctor again; docker compose logs litellm says why the gateway is stuck.");
        }
        if (answer.Status != 200)
        {
            return CheckResult.Fail(CheckIds.GatewayModel, Model, $"GET /v1/model/info answered {answer.Status}{Said(answer)}",
                "The key Tips.Serving uses must be allowed to read /v1/model/info (the master key is).");
        }

        var deployment = Deployments(answer.Body).FirstOrDefault(d => d.Id == modelId);
        if (deployment is null)
        {
            return CheckResult.Fail(CheckIds.GatewayModel, Model, $"Deployment {modelId} answered, but /v1/model/info does not list it.",
                    "Restart LiteLLM so its model list and its router agree (docker compose --profile ai restart litellm).")
                .With("deployment", modelId);
        }
        return CheckResult.Pass(CheckIds.GatewayModel, Model, $"{deployment.Alias} is answered by {deployment.Model} (deployment {deployment.Id}).")
            .With("alias", deployment.Alias)
            .With("model", deployment.Model)
            .With("deployment", deployment.Id);
    }

    private async Task<Answer> SendAsync(HttpMethod method, string path, JsonNode? body, bool withKey, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = Timeout(wait, cancellationToken);
        using var request = new HttpRequestMessage(method, new Uri(gateway.BaseUri, path));
        if (withKey && gateway.HasMasterKey)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", gateway.MasterKey);
        }
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        using var response = await http.SendAsync(request, timeout.Token);
        var text = await response.Content.ReadAsStringAsync(timeout.Token);
        var headers = response.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(", ", h.Value), StringComparer.Ordinal);
        return new Answer((int)response.StatusCode, text, headers);
    }

    private Expiry Timeout(TimeSpan wait, CancellationToken cancellationToken) => new(wait, time, cancellationToken);

    private static bool Unanswered(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static string Reason(Exception e, TimeSpan wait) =>
        e is HttpRequestException http ? Network.Describe(http) : $"no answer within {Network.Seconds(wait)}";

    /// <summary><c>: message.</c> from LiteLLM's envelope (without the key, cut short), or <c>.</c>.</summary>
    private string Said(Answer answer) => answer.Status is 401 or 403 || GatewayMessage(answer.Body) is not { } message ? "." : $": {message}";

    private string? GatewayMessage(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            string? message = null;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error))
            {
                message = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var text) && text.ValueKind == JsonValueKind.String
                    ? text.GetString()
                    : error.ValueKind == JsonValueKind.String ? error.GetString() : null;
            }
            else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
            {
                message = detail.GetString();
            }
            if (string.IsNullOrWhiteSpace(message))
            {
                return null;
            }
            if (gateway.HasMasterKey)
            {
                message = message.Replace(gateway.MasterKey!, "***", StringComparison.Ordinal);
            }
            message = message.ReplaceLineEndings(" ").Trim();
            return message.Length <= MaxMessage ? message : string.Concat(message.AsSpan(0, MaxMessage), "…");
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static List<string>? ModelIds(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object ||
                !document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            {
                return null;
            }
            return [.. data.EnumerateArray()
                .Where(m => m.ValueKind == JsonValueKind.Object && m.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                .Select(m => m.GetProperty("id").GetString()!)];
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary><c>{"data":[{"model_name","litellm_params":{"model"},"model_info":{"id"}}]}</c>.</summary>
    private static List<Deployment> Deployments(string body)
    {
        var deployments = new List<Deployment>();
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("data", out var data) ||
                data.ValueKind != JsonValueKind.Array)
            {
                return deployments;
            }
            foreach (var entry in data.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object &&
                    entry.TryGetProperty("model_info", out var info) && info.ValueKind == JsonValueKind.Object &&
                    info.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String &&
                    entry.TryGetProperty("litellm_params", out var parameters) && parameters.ValueKind == JsonValueKind.Object &&
                    parameters.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String)
                {
                    var alias = entry.TryGetProperty("model_name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString()! : "?";
                    deployments.Add(new Deployment(alias, model.GetString()!, id.GetString()!));
                }
            }
        }
        catch (JsonException)
        {
            // An unreadable list names nothing; the caller says so.
        }
        return deployments;
    }

    private static string Short(string text) => text.Length <= 120 ? text : string.Concat(text.AsSpan(0, 120), "…");

    private sealed record Deployment(string Alias, string Model, string Id);

    private sealed record Answer(int Status, string Body, IReadOnlyDictionary<string, string> Headers)
    {
        public string? Header(string name) => Headers.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
    }
}
