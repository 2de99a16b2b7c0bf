using Tips.Contracts;

namespace Tips.Api.Features.Bandit;

/// <summary>
/// The candidate features the reward model sees (design.md "Stage 2"). The order of <see cref="Names"/> is the
/// order of the vector; stored vectors are kept by name, so that a change here never misreads old logs.
/// </summary>
public static class BanditFeatures
{
    public static readonly string[] Names =
    [
        "bias",
        "is_overdue",
        "due_age",
        "priority",
        "hour_sin", "hour_cos",
        "dow_sin", "dow_cos",
        "kind_task", "kind_advice", "kind_insight", "kind_reminder",
        "source_llm", "source_task_direct", "source_fallback",
    ];

    public static int Dimension => Names.Length;

    private static readonly Dictionary<TipKind, int> KindIndex =
        Enum.GetValues<TipKind>().ToDictionary(k => k, k => Array.IndexOf(Names, "kind_" + WireName.Of(k)));

    private static readonly Dictionary<TipSource, int> SourceIndex =
        Enum.GetValues<TipSource>().ToDictionary(s => s, s => Array.IndexOf(Names, "source_" + WireName.Of(s)));

    /// <summary>The vector of one candidate. <paramref name="task"/> is the task it is about, if any;
    /// <paramref name="localTime"/> is the person's wall clock.</summary>
    public static double[] For(TipCandidate candidate, PromptTask? task, DateTimeOffset localTime)
    {
        var x = new double[Names.Length];
        x[0] = 1;
        if (task is not null)
        {
            x[1] = task.IsOverdue ? 1 : 0;
            x[2] = Math.Clamp(task.DueAgeDays, 0, 30) / 30.0;
            x[3] = (Math.Clamp(task.Priority, 1, 4) - 1) / 3.0;
        }

        var hour = localTime.Hour + localTime.Minute / 60.0;
        x[4] = Math.Sin(2 * Math.PI * hour / 24);
        x[5] = Math.Cos(2 * Math.PI * hour / 24);
        var day = (int)localTime.DayOfWeek;
        x[6] = Math.Sin(2 * Math.PI * day / 7);
        x[7] = Math.Cos(2 * Math.PI * day / 7);

        x[KindIndex[candidate.Kind]] = 1;
        x[SourceIndex[candidate.Source]] = 1;
        return x;
    }

    public static Dictionary<string, double> ToNamed(double[] x)
    {
        var named = new Dictionary<string, double>(Names.Length);
        for (var i = 0; i < Names.Length; i++)
        {
            named[Names[i]] = Math.Round(x[i], 6);
        }
        return named;
    }

    /// <summary>Reads a stored vector back by name; features it does not name count as 0.</summary>
    public static double[] FromNamed(IReadOnlyDictionary<string, double> named)
    {
        var x = new double[Names.Length];
        for (var i = 0; i < Names.Length; i++)
        {
            x[i] = named.TryGetValue(Names[i], out var v) ? v : 0;
        }
        return x;
    }
}
