using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tips.Bench.Reporting;

/// <summary>Writes <c>&lt;results&gt;/&lt;yyyyMMdd-HHmmss&gt;.json</c> (every number) and <c>.md</c> (the summary).</summary>
internal static class ReportFiles
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static async Task<(string Json, string Markdown)> WriteAsync(BenchReport report, string markdown, string directory, string stamp)
    {
        Directory.CreateDirectory(directory);
        var json = Path.Combine(directory, stamp + ".json");
        var md = Path.Combine(directory, stamp + ".md");
        // Written under a temporary name first: an interrupted write leaves no half file that looks like a result.
        await WriteAtomicallyAsync(json, JsonSerializer.Serialize(report, Json) + "\n");
        await WriteAtomicallyAsync(md, markdown);
        return (json, md);
    }

    private static async Task WriteAtomicallyAsync(string path, string text)
    {
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}
