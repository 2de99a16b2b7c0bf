namespace Tips.Doctor.Checks;

/// <summary>
/// Whether Todoist's API can be reached from here, without a user's token: DNS, TLS and HTTP only. Any HTTP answer
/// counts (401 is what Todoist says to a request without a token).
/// </summary>
internal sealed class TodoistCheck(HttpClient http, DoctorOptions doctor, TimeProvider time)
{
    private const string Title = "Todoist reachable";

    private const string Consequence =
        " Until it is, people cannot connect Todoist (PUT /integrations/todoist) and tips come from cached tasks and fallbacks.";

    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var url = Network.Under(doctor.TodoistUrl, "user");
        var started = time.GetTimestamp();
        try
        {
            using var timeout = new Expiry(doctor.Timeout, time, cancellationToken);
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return CheckResult.Pass(CheckIds.TodoistReachable, Title,
                    $"Todoist answers at {doctor.TodoistUrl} ({(int)response.StatusCode} to a request without a token, as expected).")
                with { LatencyMs = Network.Milliseconds(time.GetElapsedTime(started)) };
        }
        catch (HttpRequestException e)
        {
            var fix = e.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => "Check this machine's DNS (and TODOIST_API_URL).",
                HttpRequestError.SecureConnectionError =>
                    "Check the system's CA certificates (ca-certificates) and any TLS-inspecting proxy between here and Todoist.",
                HttpRequestError.ProxyTunnelError => "Check HTTPS_PROXY and the proxy's rules for api.todoist.com.",
                _ => "Check the network, firewall or proxy (HTTPS_PROXY) between here and Todoist, and TODOIST_API_URL.",
            };
            return CheckResult.Fail(CheckIds.TodoistReachable, Title, $"Todoist cannot be reached at {doctor.TodoistUrl}: {Network.Describe(e)}.", fix + Consequence);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return CheckResult.Fail(CheckIds.TodoistReachable, Title,
                $"Todoist did not answer at {doctor.TodoistUrl} within {Network.Seconds(doctor.Timeout)}.",
                "Check the network, firewall or proxy (HTTPS_PROXY) between here and Todoist." + Consequence);
        }
    }
}
