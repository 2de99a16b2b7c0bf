using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tips.Contracts;

/// <summary>The JSON shape of every wire type: snake_case_lower, enums as their wire names.</summary>
public static class TipsJson
{
    /// <summary>Options for clients and tests; services apply <see cref="Configure"/> to their own.</summary>
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.TypeInfoResolverChain.Insert(0, TipsJsonContext.Default);
        return options;
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TipCandidate))]
[JsonSerializable(typeof(Tip))]
[JsonSerializable(typeof(TipsResponse))]
[JsonSerializable(typeof(FeedbackRequest))]
[JsonSerializable(typeof(FeedbackResponse))]
[JsonSerializable(typeof(PromptContext))]
[JsonSerializable(typeof(GenerateRequest))]
[JsonSerializable(typeof(GenerateResponse))]
[JsonSerializable(typeof(IntegrationsResponse))]
[JsonSerializable(typeof(TodoistTokenRequest))]
[JsonSerializable(typeof(RewardAnalyticsResponse))]
public sealed partial class TipsJsonContext : JsonSerializerContext;
