// Violating sample for the model-names rule: test data, never compiled.
namespace Tips.Serving.Llm;

internal sealed class DirectModelClient
{
    public string Model { get; set; } = "qwen2.5:7b";
    public string Fallback { get; set; } = "llama3.1:8b";
    public string Cloud { get; set; } = "gpt-4o-mini";
    public string Judge { get; set; } = "claude-sonnet-4-5";
    public string Google { get; set; } = "gemini-1.5-pro";
    public string Europe { get; set; } = "mistral-large-latest";

    public Uri OpenAi { get; } = new("https://api.openai.com/v1");
    public Uri Anthropic { get; } = new("https://api.anthropic.com/v1/messages");
    public Uri GoogleAi { get; } = new("https://generativelanguage.googleapis.com/v1beta");
    public Uri LocalOllama { get; } = new("http://localhost:11434");
}
