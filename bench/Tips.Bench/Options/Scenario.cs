namespace Tips.Bench.Options;

/// <summary>What one part of the run measures. The run goes through them in this order.</summary>
internal enum Scenario
{
    /// <summary>Every user primed (task snapshot and LLM candidates cached); fixed rate, then saturation, then the baselines.</summary>
    Warm,

    /// <summary>Every request for a user with no cached candidates; the gateway answers after the cold latency.</summary>
    Cold,

    /// <summary>Todoist holds every request; users whose task snapshots are stale.</summary>
    TodoistSlow,

    /// <summary>The gateway accepts and never answers; users with no cached candidates.</summary>
    GatewayHanging,

    /// <summary>
    /// The warm fixed rate for a long time, sampling each service's memory. Last: it leaves the most behind (snapshots
    /// due again, the load generator's heap full of samples), which would spill into a scenario after it.
    /// </summary>
    Soak,
}

internal static class ScenarioNames
{
    public static readonly IReadOnlyDictionary<string, Scenario> ByName = new Dictionary<string, Scenario>(StringComparer.OrdinalIgnoreCase)
    {
        ["warm"] = Scenario.Warm,
        ["soak"] = Scenario.Soak,
        ["cold"] = Scenario.Cold,
        ["todoist-slow"] = Scenario.TodoistSlow,
        ["gateway-hanging"] = Scenario.GatewayHanging,
    };

    public static string Of(Scenario scenario) => ByName.First(p => p.Value == scenario).Key;

    public static string All => string.Join(", ", ByName.Keys);
}
