namespace Tips.Contracts;

/// <summary>One connected (or connectable) provider, as <c>GET /integrations</c> shows it.</summary>
/// <param name="CheckedAt">When the token was last checked against the provider; null if never.</param>
public sealed record IntegrationStatus(string Provider, bool Connected, TokenStatus TokenStatus, DateTimeOffset? CheckedAt);

/// <summary>The body of <c>GET /integrations</c>.</summary>
public sealed record IntegrationsResponse(IReadOnlyList<IntegrationStatus> Integrations);

/// <summary>The body of <c>PUT /integrations/todoist</c>. The token is never echoed back.</summary>
public sealed record TodoistTokenRequest(string? Token);
