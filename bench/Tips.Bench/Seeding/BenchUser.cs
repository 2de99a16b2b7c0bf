namespace Tips.Bench.Seeding;

/// <summary>A simulated person: their id (the token's <c>sub</c>), the header their requests carry, their Todoist token.</summary>
internal sealed record BenchUser(string Id, string Authorization, string TodoistToken);

/// <summary>The users of one scenario. A degraded scenario takes each user once, so every request finds nothing cached.</summary>
internal sealed record UserPool(string Name, IReadOnlyList<BenchUser> Users);
