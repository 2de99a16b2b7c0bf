using Microsoft.Extensions.Options;

namespace Tips.Serving.Llm;

/// <summary>
/// Where the LiteLLM-compatible gateway is and how long to wait for it. Bound from the <c>Gateway</c> section;
/// the documented variables <c>LITELLM_URL</c> and <c>LITELLM_MASTER_KEY</c> win over it when set.
/// </summary>
internal sealed class GatewayOptions
{
    public const string Section = "Gateway";
    public const string UrlVariable = "LITELLM_URL";
    public const string MasterKeyVariable = "LITELLM_MASTER_KEY";

    /// <summary>The gateway's base URL, without <c>/v1</c>.</summary>
    public string Url { get; set; } = "http://localhost:4000";

    /// <summary>Sent as <c>Authorization: Bearer</c>. May be empty: the service starts, and a keyed gateway refuses.</summary>
    public string? MasterKey { get; set; }

    /// <summary>The model alias of the gateway's <c>model_list</c>; models are chosen there, never here.</summary>
    public string Alias { get; set; } = "tip-generator";

    /// <summary>One model call, HTTP retries of that call included.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The whole generation: every model call, repair retries included.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(45);

    public int MaxOutputTokens { get; set; } = 800;

    /// <summary>Extra HTTP tries of one model call after a transient fault (5xx, refused or dropped connection).</summary>
    public int HttpRetries { get; set; } = 2;

    /// <summary>First back-off between HTTP tries; doubles on each further try.</summary>
    public TimeSpan HttpRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A 429 asking to wait longer than this is passed on to the caller instead of waited out.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the answer of <c>GET /v1/model/info</c> (deployment id → model) is reused.</summary>
    public TimeSpan ModelInfoTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a readiness probe waits for <c>/health/liveliness</c>.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    public bool HasMasterKey => !string.IsNullOrEmpty(MasterKey);

    public Uri BaseUri => new(Url.EndsWith('/') ? Url : Url + "/", UriKind.Absolute);

    /// <summary>The OpenAI-compatible root the chat client calls (<c>…/v1</c>).</summary>
    public Uri ApiUri => new(BaseUri, "v1");
}

/// <summary>Takes the documented environment variables over the <c>Gateway</c> section.</summary>
internal sealed class GatewayEnvironment(IConfiguration configuration) : IConfigureOptions<GatewayOptions>
{
    public void Configure(GatewayOptions options)
    {
        if (configuration[GatewayOptions.UrlVariable] is { Length: > 0 } url)
        {
            options.Url = url;
        }
        if (configuration[GatewayOptions.MasterKeyVariable] is { Length: > 0 } key)
        {
            options.MasterKey = key;
        }
    }
}

/// <summary>Fails the start with a message naming the variable to fix.</summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions o)
    {
        var failures = new List<string>();
        if (!Uri.TryCreate(o.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{GatewayOptions.UrlVariable} must be the gateway's absolute http(s) URL, e.g. http://localhost:4000; got '{o.Url}'.");
        }
        if (string.IsNullOrWhiteSpace(o.Alias) || o.Alias.Length > 100 || o.Alias.Any(char.IsWhiteSpace))
        {
            failures.Add("Gateway__Alias must name a model alias of the gateway (e.g. tip-generator), without spaces.");
        }
        Positive(o.AttemptTimeout, "Gateway__AttemptTimeout", "00:00:20");
        Positive(o.Deadline, "Gateway__Deadline", "00:00:45");
        Positive(o.ModelInfoTtl, "Gateway__ModelInfoTtl", "00:05:00");
        Positive(o.ProbeTimeout, "Gateway__ProbeTimeout", "00:00:02");
        if (o.MaxOutputTokens is < 64 or > 32_768)
        {
            failures.Add($"Gateway__MaxOutputTokens must be 64..32768; got {o.MaxOutputTokens}.");
        }
        if (o.HttpRetries is < 0 or > 5)
        {
            failures.Add($"Gateway__HttpRetries must be 0..5; got {o.HttpRetries}.");
        }
        if (o.HttpRetryDelay < TimeSpan.Zero || o.MaxRetryAfter < TimeSpan.Zero)
        {
            failures.Add("Gateway__HttpRetryDelay and Gateway__MaxRetryAfter must not be negative.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Positive(TimeSpan value, string variable, string example)
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{variable} must be a positive time span, e.g. {example}; got {value}.");
            }
        }
    }
}
