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

    private static readonly int HourSin = Array.IndexOf(Names, "hour_sin");
    private static readonly int HourCos = Array.IndexOf(Names, "hour_cos");
    private static readonly int DaySin = Array.IndexOf(Names, "dow_sin");
    private static readonly int DayCos = Array.IndexOf(Names, "dow_cos");

    /// <summary>The vector of one candidate. <paramref name="task"/> is the task it is about, if any;
    /// <paramref name="localTime"/> is the person's wall clock.</summary>
    public static double[] For(TipCandidate candidate, PromptTask? task, DateTimeOffset localTime) =>
        Clock.At(localTime).Complete(Untimed(candidate, task));

    /// <summary>
    /// The vector of one candidate with its clock features left at 0: what the candidate and its task are, which holds
    /// for as long as its pool is kept (<see cref="Clock"/> adds the person's wall clock on each request).
    /// </summary>
    public static double[] Untimed(TipCandidate candidate, PromptTask? task)
    {
        var x = new double[Names.Length];
        x[0] = 1;
        if (task is not null)
        {
            x[1] = task.IsOverdue ? 1 : 0;
            x[2] = Math.Clamp(task.DueAgeDays, 0, 30) / 30.0;
            x[3] = (Math.Clamp(task.Priority, 1, 4) - 1) / 3.0;
        }
        x[KindIndex[candidate.Kind]] = 1;
        x[SourceIndex[candidate.Source]] = 1;
        return x;
    }

    /// <summary>The clock features of one moment on the person's wall clock: hour of day and day of week, each as a
    /// point on a circle, so that 23:59 is next to 00:00 and Saturday next to Sunday.</summary>
    public readonly record struct Clock(double HourSine, double HourCosine, double DaySine, double DayCosine)
    {
        public static Clock At(DateTimeOffset localTime)
        {
            var hour = localTime.Hour + localTime.Minute / 60.0;
            var day = (int)localTime.DayOfWeek;
            return new Clock(
                Math.Sin(2 * Math.PI * hour / 24), Math.Cos(2 * Math.PI * hour / 24),
                Math.Sin(2 * Math.PI * day / 7), Math.Cos(2 * Math.PI * day / 7));
        }

        /// <summary>θ·x of the whole vector, from its <see cref="Untimed"/> part and this clock, without building it.</summary>
        public double Predict(ReadOnlySpan<double> theta, ReadOnlySpan<double> untimed) =>
            RewardModel.Predict(theta, untimed) +
            theta[HourSin] * HourSine + theta[HourCos] * HourCosine + theta[DaySin] * DaySine + theta[DayCos] * DayCosine;

        /// <summary>The whole vector: a copy of <paramref name="untimed"/> with this clock's features.</summary>
        public double[] Complete(double[] untimed)
        {
            var x = (double[])untimed.Clone();
            x[HourSin] = HourSine;
            x[HourCos] = HourCosine;
            x[DaySin] = DaySine;
            x[DayCos] = DayCosine;
            return x;
        }
    }

    /// <summary>A feature's value as logged: six decimals are plenty to learn from and keep the log short.</summary>
    public static double Logged(double value) => Math.Round(value, 6);

    public static Dictionary<string, double> ToNamed(double[] x)
    {
        var named = new Dictionary<string, double>(Names.Length);
        for (var i = 0; i < Names.Length; i++)
        {
            named[Names[i]] = Logged(x[i]);
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
