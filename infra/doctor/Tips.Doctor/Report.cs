using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Tips.Doctor.Checks;
using Tips.Serving.Llm;

namespace Tips.Doctor;

/// <summary>What <c>./tips doctor --json</c> prints.</summary>
/// <param name="Ok">Every check passed (the exit code is 0).</param>
/// <param name="Problems">Settings that kept the doctor from running at all.</param>
internal sealed record DoctorReport(bool Ok, int Passed, int Failed, int Skipped, IReadOnlyList<string> Problems, IReadOnlyList<CheckResult> Checks)
{
    public static DoctorReport Of(IReadOnlyList<CheckResult> checks)
    {
        var passed = checks.Count(c => c.Status == CheckStatus.Pass);
        var failed = checks.Count(c => c.Status == CheckStatus.Fail);
        return new DoctorReport(passed == checks.Count, passed, failed, checks.Count - passed - failed, [], checks);
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DoctorReport))]
internal sealed partial class DoctorJsonContext : JsonSerializerContext;

internal static class Report
{
    // Read by terminals and scripts, never embedded in HTML: apostrophes and non-ASCII text stay as they are.
    private static readonly DoctorJsonContext Context = new(new JsonSerializerOptions(DoctorJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static string Json(DoctorReport report) => JsonSerializer.Serialize(report, Context.DoctorReport);

    /// <summary>For people: one line per check, the fix under each failure, a closing verdict.</summary>
    public static string Text(DoctorReport report, GatewayOptions gateway)
    {
        var text = new StringBuilder();
        text.AppendLine("Tips doctor");
        string? group = null;
        foreach (var check in report.Checks)
        {
            var heading = Group(check.Id, gateway);
            if (heading != group)
            {
                group = heading;
                text.AppendLine().AppendLine(heading);
            }
            var mark = check.Status switch { CheckStatus.Pass => "ok  ", CheckStatus.Fail => "FAIL", _ => "skip" };
            text.Append(CultureInfo.InvariantCulture, $"  {mark}  {check.Title,-22} {check.Summary}").AppendLine();
            if (check.Fix is { } fix)
            {
                text.Append(CultureInfo.InvariantCulture, $"        {"fix:",-22} {fix}").AppendLine();
            }
        }
        text.AppendLine();
        text.AppendLine(report.Ok
            ? $"All {report.Checks.Count} checks passed."
            : $"{report.Failed} of {report.Checks.Count} checks failed{(report.Skipped > 0 ? $" and {report.Skipped} were skipped" : "")}: see the fixes above.");
        return text.ToString();
    }

    private static string Group(string id, GatewayOptions gateway) => id[..id.IndexOf('.', StringComparison.Ordinal)] switch
    {
        "postgres" => "Postgres (ConnectionStrings__Tips)",
        "gateway" => $"LLM gateway ({gateway.BaseUri}, alias {gateway.Alias})",
        "todoist" => "Todoist",
        _ => "Services",
    };
}
