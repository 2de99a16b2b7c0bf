// Sample for the gateway-aliases rule: names an alias the (broken) config would define.
namespace Tips.Serving.Llm;

internal sealed class GatewayOptions
{
    public string Alias { get; set; } = "tip-generator";
}
