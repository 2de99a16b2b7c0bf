using Microsoft.Extensions.Options;

namespace Tips.Doctor;

/// <summary>
/// Where the doctor looks for what it checks. Bound from the <c>Doctor</c> section; the documented variables
/// <c>TIPS_API_URL</c>, <c>SERVING_URL</c> and <c>TODOIST_API_URL</c> win over it when set. The gateway's settings
/// are Tips.Serving's own (<c>GatewayOptions</c>: <c>LITELLM_URL</c>, <c>LITELLM_MASTER_KEY</c>, <c>Gateway__Alias</c>).
/// </summary>
internal sealed class DoctorOptions
{
    public const string Section = "Doctor";
    public const string ApiUrlVariable = "TIPS_API_URL";
    public const string ServingUrlVariable = "SERVING_URL";
    public const string TodoistUrlVariable = "TODOIST_API_URL";

    public string ApiUrl { get; set; } = "http://127.0.0.1:5080";

    public string ServingUrl { get; set; } = "http://127.0.0.1:5081";

    public string TodoistUrl { get; set; } = "https://api.todoist.com/api/v1";

    /// <summary>
    /// Aliases the gateway must list besides <c>Gateway__Alias</c>, comma-separated (<c>Doctor__Aliases=embedder,judge</c>):
    /// for options that name further aliases.
    /// </summary>
    public string? Aliases { get; set; }

    /// <summary>Each probe's wait (connections, health endpoints, model lists).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The test completion's wait: a local model may first have to load.</summary>
    public TimeSpan CompletionTimeout { get; set; } = TimeSpan.FromSeconds(90);

    public IReadOnlyList<string> ExtraAliases =>
        Aliases?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}

/// <summary>Takes the documented environment variables over the <c>Doctor</c> section.</summary>
internal sealed class DoctorEnvironment(IConfiguration configuration) : IConfigureOptions<DoctorOptions>
{
    public void Configure(DoctorOptions options)
    {
        options.ApiUrl = configuration[DoctorOptions.ApiUrlVariable] is { Length: > 0 } api ? api : options.ApiUrl;
        options.ServingUrl = configuration[DoctorOptions.ServingUrlVariable] is { Length: > 0 } serving ? serving : options.ServingUrl;
        options.TodoistUrl = configuration[DoctorOptions.TodoistUrlVariable] is { Length: > 0 } todoist ? todoist : options.TodoistUrl;
    }
}

/// <summary>Refuses to run with a message naming the variable to fix.</summary>
internal sealed class DoctorOptionsValidator : IValidateOptions<DoctorOptions>
{
    public ValidateOptionsResult Validate(string? name, DoctorOptions o)
    {
        var failures = new List<string>();
        Url(o.ApiUrl, DoctorOptions.ApiUrlVariable, "http://127.0.0.1:5080");
        Url(o.ServingUrl, DoctorOptions.ServingUrlVariable, "http://127.0.0.1:5081");
        Url(o.TodoistUrl, DoctorOptions.TodoistUrlVariable, "https://api.todoist.com/api/v1");
        if (o.Timeout <= TimeSpan.Zero)
        {
            failures.Add($"Doctor__Timeout must be a positive time span, e.g. 00:00:10; got {o.Timeout}.");
        }
        if (o.CompletionTimeout <= TimeSpan.Zero)
        {
            failures.Add($"Doctor__CompletionTimeout must be a positive time span, e.g. 00:01:30; got {o.CompletionTimeout}.");
        }
        if (o.ExtraAliases.Any(a => a.Any(char.IsWhiteSpace)))
        {
            failures.Add($"Doctor__Aliases must be comma-separated aliases without spaces, e.g. embedder,judge; got '{o.Aliases}'.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Url(string value, string variable, string example)
        {
            if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add($"{variable} must be an absolute http(s) URL, e.g. {example}; got '{value}'.");
            }
        }
    }
}
