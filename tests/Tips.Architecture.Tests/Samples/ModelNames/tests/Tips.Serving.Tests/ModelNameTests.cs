// Tests may name models: they play the gateway. Not reported.
namespace Tips.Serving.Tests;

public sealed class ModelNameTests
{
    public const string Deployment = "ollama_chat/qwen2.5:7b";
    public const string Address = "http://127.0.0.1:11434";
}
