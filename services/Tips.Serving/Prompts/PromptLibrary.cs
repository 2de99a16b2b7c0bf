using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Tips.Contracts;

namespace Tips.Serving.Prompts;

/// <summary>Which prompt template generations use; its version is logged with every served tip.</summary>
internal sealed class PromptOptions
{
    public const string Section = "Prompts";

    public string Version { get; set; } = PromptLibrary.DefaultVersion;
}

/// <summary>A prompt ready to send: the version that made it and its two messages.</summary>
internal sealed record RenderedPrompt(string Version, string System, string User);

/// <summary>
/// The versioned prompt templates embedded from <c>Prompts/&lt;version&gt;.system.md</c> and
/// <c>&lt;version&gt;.user.md</c>. A changed prompt gets a new version (a new pair of files), so analysts can
/// compare versions in <c>tip_scores.prompt_version</c>; an edited old version would mix two prompts under one name.
/// </summary>
internal sealed class PromptLibrary
{
    public const string DefaultVersion = "tips-v1";

    private const string ResourcePrefix = "Tips.Serving.Prompts.";
    private static readonly FrozenSet<string> Placeholders = FrozenSet.Create(StringComparer.Ordinal,
        "local_time", "timezone", "signals", "tasks", "count");

    private readonly FrozenDictionary<string, (string System, string User)> _templates;

    private PromptLibrary(FrozenDictionary<string, (string System, string User)> templates) => _templates = templates;

    public IReadOnlyCollection<string> Versions => _templates.Keys;

    public static PromptLibrary LoadEmbedded()
    {
        var assembly = typeof(PromptLibrary).Assembly;
        var templates = new Dictionary<string, (string System, string User)>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal) || !name.EndsWith(".system.md", StringComparison.Ordinal))
            {
                continue;
            }
            var version = name[ResourcePrefix.Length..^".system.md".Length];
            var user = $"{ResourcePrefix}{version}.user.md";
            templates[version] = (Read(assembly, name), Read(assembly, user));
        }
        foreach (var (version, (system, user)) in templates)
        {
            CheckPlaceholders(version, system);
            CheckPlaceholders(version, user);
        }
        return new PromptLibrary(templates.ToFrozenDictionary(StringComparer.Ordinal));
    }

    public bool Has(string version) => _templates.ContainsKey(version);

    /// <summary>The prompt for <paramref name="context"/>, its tasks shown most pressing first.</summary>
    public RenderedPrompt Render(string version, PromptContext context, int count)
    {
        var (system, user) = _templates[version];
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["local_time"] = context.LocalTime.ToString("dddd yyyy-MM-dd HH:mm (zzz)", CultureInfo.InvariantCulture),
            ["timezone"] = OneLine(context.Timezone),
            ["signals"] = DescribeSignals(context.Signals),
            ["tasks"] = DescribeTasks(context.Tasks),
            ["count"] = count.ToString(CultureInfo.InvariantCulture),
        };
        return new RenderedPrompt(version, Fill(system, values), Fill(user, values));
    }

    /// <summary>Overdue first, then priority (4 is urgent), then due date (none last); otherwise as given.</summary>
    public static IEnumerable<PromptTask> MostPressingFirst(IEnumerable<PromptTask> tasks) => tasks
        .OrderByDescending(t => t.IsOverdue)
        .ThenByDescending(t => t.Priority)
        .ThenBy(t => t.Due is null)
        .ThenBy(t => t.Due, StringComparer.Ordinal);

    private static string DescribeTasks(IReadOnlyList<PromptTask> tasks)
    {
        if (tasks.Count == 0)
        {
            return "(none: the person has no open tasks, or has not connected a task list)";
        }

        var text = new StringBuilder();
        foreach (var task in MostPressingFirst(tasks))
        {
            text.Append(CultureInfo.InvariantCulture, $"- id \"{OneLine(task.Id)}\": {OneLine(task.Content)}");
            if (task.Priority > 1)
            {
                // Todoist's API counts 4 as urgent; people know it as p1.
                text.Append(CultureInfo.InvariantCulture, $" | priority p{5 - task.Priority}{(task.Priority == 4 ? " (urgent)" : "")}");
            }
            if (task.Due is { Length: > 0 } due)
            {
                text.Append(" | due ").Append(OneLine(due));
                if (task.IsOverdue)
                {
                    text.Append(task.DueAgeDays switch
                    {
                        0 => ", overdue",
                        1 => ", overdue by 1 day",
                        var days => string.Create(CultureInfo.InvariantCulture, $", overdue by {days} days"),
                    });
                }
            }
            if (task.Labels.Count > 0)
            {
                text.Append(" | labels: ").AppendJoin(", ", task.Labels.Select(OneLine));
            }
            text.Append('\n');
        }
        return text.ToString().TrimEnd('\n');
    }

    private static string DescribeSignals(UserSignals signals)
    {
        if (signals.TipsServed30d == 0)
        {
            return "no history yet (no tips served).";
        }
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{signals.TipsServed30d} tips served; {signals.CompletionRate30d * 100:0}% marked done, {signals.DismissRate30d * 100:0}% dismissed");
        if (signals.MeanDwellMs is { } dwell)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"; on average {dwell / 1000:0} s spent on a tip before acting");
        }
        if (signals.PreferredHour is { } hour)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"; most tasks done around {hour:00}:00");
        }
        return text + ".";
    }

    /// <summary>One pass over the template, so a value that happens to contain <c>{{…}}</c> is never expanded.</summary>
    private static string Fill(string template, Dictionary<string, string> values)
    {
        var text = new StringBuilder(template.Length + 1024);
        var position = 0;
        while (true)
        {
            var open = template.IndexOf("{{", position, StringComparison.Ordinal);
            if (open < 0)
            {
                break;
            }
            var close = template.IndexOf("}}", open, StringComparison.Ordinal);
            text.Append(template, position, open - position).Append(values[template[(open + 2)..close]]);
            position = close + 2;
        }
        return text.Append(template, position, template.Length - position).ToString().TrimEnd();
    }

    private static void CheckPlaceholders(string version, string template)
    {
        var position = 0;
        while ((position = template.IndexOf("{{", position, StringComparison.Ordinal)) >= 0)
        {
            var close = template.IndexOf("}}", position, StringComparison.Ordinal);
            var name = close < 0 ? null : template[(position + 2)..close];
            if (name is null || !Placeholders.Contains(name))
            {
                throw new InvalidOperationException(
                    $"Prompt {version} has an unknown placeholder near '{template.Substring(position, Math.Min(20, template.Length - position))}'; " +
                    $"known: {string.Join(", ", Placeholders)}.");
            }
            position = close + 2;
        }
    }

    private static string OneLine(string value) => value.ReplaceLineEndings(" ").Trim();

    private static string Read(System.Reflection.Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The prompt template {name} is not embedded in {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}

/// <summary>Fails the start when <c>Prompts__Version</c> names no embedded template.</summary>
internal sealed class PromptOptionsValidator(PromptLibrary library) : IValidateOptions<PromptOptions>
{
    public ValidateOptionsResult Validate(string? name, PromptOptions options) => library.Has(options.Version)
        ? ValidateOptionsResult.Success
        : ValidateOptionsResult.Fail(
            $"Prompts__Version '{options.Version}' has no template in Prompts/; available: {string.Join(", ", library.Versions)}.");
}
