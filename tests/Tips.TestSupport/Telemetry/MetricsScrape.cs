using System.Globalization;
using System.Text;

namespace Tips.TestSupport.Telemetry;

/// <summary>One sample line of a Prometheus text exposition: <c>name{label="value",…} 12.5</c>.</summary>
public sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A <c>/metrics</c> answer, parsed: enough of the Prometheus text format (0.0.4) to find samples by name and labels
/// and add them up. Samples are looked up by their exposed name (<c>tips_llm_replies_total</c>,
/// <c>http_server_request_duration_seconds_count</c>).
/// </summary>
public sealed class MetricsScrape
{
    private MetricsScrape(string text, IReadOnlyList<MetricSample> samples)
    {
        Text = text;
        Samples = samples;
    }

    public string Text { get; }

    public IReadOnlyList<MetricSample> Samples { get; }

    /// <summary>Metric families named in <c># TYPE</c> lines.</summary>
    public IReadOnlySet<string> Families => Text.Split('\n')
        .Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal))
        .Select(l => l.Split(' ')[2])
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>The sum of every sample named <paramref name="name"/> whose labels include all of <paramref name="labels"/>
    /// (<c>"label=value"</c> each); 0 when there is none.</summary>
    public double Sum(string name, params string[] labels)
    {
        var wanted = labels.Select(l => l.Split('=', 2)).Select(p => (Key: p[0], Value: p[1])).ToList();
        return Samples
            .Where(s => s.Name == name && wanted.All(w => s.Labels.TryGetValue(w.Key, out var v) && v == w.Value))
            .Sum(s => s.Value);
    }

    /// <summary>The samples named <paramref name="name"/>, for messages when an assertion fails.</summary>
    public string Describe(string name) => string.Join('\n', Samples.Where(s => s.Name == name)
        .Select(s => $"{s.Name}{{{string.Join(',', s.Labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}} {s.Value.ToString(CultureInfo.InvariantCulture)}"));

    /// <summary>
    /// The first scrape in which <paramref name="name"/> has moved by <paramref name="expected"/> or more since
    /// <paramref name="before"/>, or the last one tried (after about 10 s; not a timing assertion, only a bound): ASP.NET
    /// Core counts a request once its response is sent, so the client may hold the answer a moment before it counts.
    /// </summary>
    public static async Task<MetricsScrape> MovedAsync(
        Func<Task<MetricsScrape>> scrape, MetricsScrape before, double expected, string name, params string[] labels)
    {
        var after = await scrape();
        for (var attempt = 0; attempt < 200 && after.Sum(name, labels) - before.Sum(name, labels) < expected; attempt++)
        {
            await Task.Delay(50);
            after = await scrape();
        }
        return after;
    }

    public static MetricsScrape Parse(string text)
    {
        var samples = new List<MetricSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            samples.Add(ParseSample(line));
        }
        return new MetricsScrape(text, samples);
    }

    private static MetricSample ParseSample(string line)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ')
        {
            i++;
        }
        var name = line[..i];
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var key = line[i..eq].Trim(',', ' ');
                i = eq + 2; // past ="
                var value = new StringBuilder();
                while (line[i] != '"')
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] == 'n' ? '\n' : line[i]);
                    }
                    else
                    {
                        value.Append(line[i]);
                    }
                    i++;
                }
                labels[key] = value.ToString();
                i++; // past the closing quote
                if (line[i] == ',')
                {
                    i++;
                }
            }
            i++; // past }
        }
        var rest = line[i..].Trim().Split(' ');
        var number = rest[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var text => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new MetricSample(name, labels, number);
    }
}
