using System.Text.Json;

namespace Tips.Doctor.Checks;

/// <summary>A service's <c>GET /health/ready</c>, with what each of its own checks says.</summary>
internal sealed class ReadinessCheck(HttpClient http, DoctorOptions doctor, TimeProvider time)
{
    public Task<CheckResult> ApiAsync(CancellationToken cancellationToken) => RunAsync(
        CheckIds.ApiReady, "Tips.Api", doctor.ApiUrl,
        "Start it with ./tips up (TIPS_API_PORT moves it; TIPS_API_URL tells the doctor where it runs).",
        "Tips.Api is ready only while Postgres answers: see the Postgres checks; its log: ./tips logs api.",
        cancellationToken);

    public Task<CheckResult> ServingAsync(CancellationToken cancellationToken) => RunAsync(
        CheckIds.ServingReady, "Tips.Serving", doctor.ServingUrl,
        "Start it with ./tips up (TIPS_SERVING_PORT moves it; SERVING_URL tells the doctor where it runs).",
        "Its log says why: ./tips logs serving.",
        cancellationToken);

    private async Task<CheckResult> RunAsync(string id, string service, string url, string startFix, string notReadyFix, CancellationToken cancellationToken)
    {
        var title = $"{service} ready";
        var started = time.GetTimestamp();
        try
        {
            using var timeout = new Expiry(doctor.Timeout, time, cancellationToken);
            using var response = await http.GetAsync(Network.Under(url, "health/ready"), timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            var latency = Network.Milliseconds(time.GetElapsedTime(started));
            var checks = Checks(body);
            var said = checks.Count == 0 ? "" : " (" + string.Join("; ", checks.Select(c => c.Describe())) + ")";
            var result = response.IsSuccessStatusCode
                ? CheckResult.Pass(id, title, $"{service} is ready at {url}{said}.")
                : CheckResult.Fail(id, title, $"{service} at {url} is not ready ({(int)response.StatusCode}){said}.", notReadyFix);
            return checks.Aggregate(result with { LatencyMs = latency }, (r, c) => r.With(c.Name, c.Status));
        }
        catch (HttpRequestException e)
        {
            return CheckResult.Fail(id, title, $"{service} does not answer at {url}: {Network.Describe(e)}.", startFix);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return CheckResult.Fail(id, title, $"{service} did not answer GET /health/ready at {url} within {Network.Seconds(doctor.Timeout)}.", notReadyFix);
        }
    }

    /// <summary><c>{"status","checks":{"name":{"status","description"}}}</c>, as the service defaults write it.</summary>
    private static List<HealthEntry> Checks(string body)
    {
        var entries = new List<HealthEntry>();
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("checks", out var checks) && checks.ValueKind == JsonValueKind.Object)
            {
                foreach (var check in checks.EnumerateObject())
                {
                    var status = check.Value.ValueKind == JsonValueKind.Object && check.Value.TryGetProperty("status", out var s) &&
                                 s.ValueKind == JsonValueKind.String ? s.GetString()! : "unknown";
                    var description = check.Value.ValueKind == JsonValueKind.Object && check.Value.TryGetProperty("description", out var d) &&
                                      d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                    entries.Add(new HealthEntry(check.Name, status, description));
                }
            }
        }
        catch (JsonException)
        {
            // Not the service defaults' body: the status code alone decides.
        }
        return entries;
    }

    private sealed record HealthEntry(string Name, string Status, string? Description)
    {
        // A healthy check's description is noise; a degraded or unhealthy one's says why.
        public string Describe() => Status == "healthy" || Description is null ? $"{Name}: {Status}" : $"{Name}: {Status}, {Description.TrimEnd('.')}";
    }
}
