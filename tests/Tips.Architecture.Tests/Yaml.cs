using YamlDotNet.RepresentationModel;

namespace Tips.Architecture.Tests;

/// <summary>Small helpers to walk a parsed YAML document.</summary>
public static class Yaml
{
    public static YamlMappingNode Load(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    /// <summary>The value of <paramref name="key"/>, following YAML merge keys (<c>&lt;&lt;: *anchor</c>).</summary>
    public static YamlNode? Get(this YamlNode node, string key)
    {
        if (node is not YamlMappingNode map)
        {
            return null;
        }
        if (map.Children.TryGetValue(new YamlScalarNode(key), out var value))
        {
            return value;
        }
        return map.Children.TryGetValue(new YamlScalarNode("<<"), out var merged) ? merged.Get(key) : null;
    }

    public static string? Scalar(this YamlNode node, string key) => (node.Get(key) as YamlScalarNode)?.Value;

    public static IEnumerable<(string Key, YamlNode Value)> Entries(this YamlNode? node) =>
        node is YamlMappingNode map ? map.Children.Select(c => (((YamlScalarNode)c.Key).Value!, c.Value)) : [];

    public static IEnumerable<YamlNode> Items(this YamlNode? node) => node is YamlSequenceNode seq ? seq.Children : [];
}
