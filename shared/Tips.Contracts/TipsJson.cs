using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

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
        if (!options.TypeInfoResolverChain.OfType<DefaultJsonTypeInfoResolver>().Any())
        {
            // Types outside the context (a test's anonymous body, a one-off shape) still serialize, by reflection.
            options.TypeInfoResolverChain.Add(new DefaultJsonTypeInfoResolver());
        }
        return options;
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TipCandidate))]
[JsonSerializable(typeof(List<TipCandidate>))]
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
