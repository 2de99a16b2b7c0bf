// Violating sample for the gateway-aliases rule: test data, never compiled.
namespace Tips.Serving.Llm;

internal sealed class GatewayOptions
{
    public const string EmbedderAlias = "embedder";

    public string Alias { get; set; } = "tip-generator";

    public string JudgeAlias { get; init; } = "judge";
}
