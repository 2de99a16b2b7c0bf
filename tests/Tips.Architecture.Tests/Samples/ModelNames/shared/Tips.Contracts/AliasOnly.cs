// Clean sample: aliases, provider-shaped placeholders and ordinary words are not model names.
namespace Tips.Contracts;

/// <summary>Ollama serves the model behind tip-generator; ChatGPT-style prose; see the GPT family docs.</summary>
public sealed record AliasOnly(string Alias = "tip-generator", string Example = "ollama_chat/model-of-the-tip-generator-alias")
{
    public const string Spanish = "Llamar a la abuela";
    public const int NotAPort = 114340;
    public const string Ollama = "http://ollama:4000";
}
