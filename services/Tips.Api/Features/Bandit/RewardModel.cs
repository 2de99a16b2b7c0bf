namespace Tips.Api.Features.Bandit;

/// <summary>
/// Sufficient statistics of a linear reward model: <c>A = Σ x xᵀ</c> and <c>b = Σ r x</c> over the observations.
/// The regularisation is applied when solving, so λ and the shrinkage can change without rewriting state.
/// </summary>
public sealed class RewardModel
{
    public RewardModel(int dimension)
        : this(dimension, new double[dimension * dimension], new double[dimension], 0)
    {
    }

    public RewardModel(int dimension, double[] a, double[] b, long observations)
    {
        if (a.Length != dimension * dimension || b.Length != dimension)
        {
            throw new ArgumentException($"State does not match dimension {dimension}.");
        }
        Dimension = dimension;
        A = a;
        B = b;
        Observations = observations;
    }

    public int Dimension { get; }
    public double[] A { get; }
    public double[] B { get; }
    public long Observations { get; private set; }

    public void Add(ReadOnlySpan<double> x, double reward)
    {
        var d = Dimension;
        for (var i = 0; i < d; i++)
        {
            if (x[i] == 0)
            {
                continue;
            }
            B[i] += reward * x[i];
            for (var j = 0; j < d; j++)
            {
                A[i * d + j] += x[i] * x[j];
            }
        }
        Observations++;
    }

    /// <summary>A new model holding the sums of this one and <paramref name="other"/>'s observations.</summary>
    public RewardModel Plus(RewardModel other)
    {
        var sum = new RewardModel(Dimension, [.. A], [.. B], Observations + other.Observations);
        for (var i = 0; i < A.Length; i++)
        {
            sum.A[i] += other.A[i];
        }
        for (var i = 0; i < B.Length; i++)
        {
            sum.B[i] += other.B[i];
        }
        return sum;
    }

    /// <summary>
    /// The MAP coefficients under a Gaussian prior centred on <paramref name="prior"/> (zero when null) with
    /// precision <paramref name="lambda"/>: <c>θ = (A + λI)⁻¹ (b + λ·prior)</c>. With no observations θ = prior;
    /// with many, the data dominate. This is how a person's model is shrunk toward the global one.
    /// </summary>
    public double[] Solve(double lambda, double[]? prior = null)
    {
        if (lambda <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(lambda), "The ridge precision must be positive.");
        }

        var d = Dimension;
        var m = new double[d * d];
        Array.Copy(A, m, m.Length);
        var rhs = new double[d];
        for (var i = 0; i < d; i++)
        {
            m[i * d + i] += lambda;
            rhs[i] = B[i] + lambda * (prior?[i] ?? 0);
        }
        return CholeskySolve(m, rhs, d);
    }

    public static double Predict(ReadOnlySpan<double> theta, ReadOnlySpan<double> x)
    {
        var sum = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            sum += theta[i] * x[i];
        }
        return sum;
    }

    /// <summary>Solves M θ = r for a symmetric positive definite M (it is: Σxxᵀ + λI with λ &gt; 0).</summary>
    private static double[] CholeskySolve(double[] m, double[] r, int d)
    {
        var l = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = m[i * d + j];
                for (var k = 0; k < j; k++)
                {
                    sum -= l[i * d + k] * l[j * d + k];
                }
                l[i * d + j] = i == j ? Math.Sqrt(Math.Max(sum, 1e-12)) : sum / l[j * d + j];
            }
        }

        var y = new double[d];
        for (var i = 0; i < d; i++)
        {
            var sum = r[i];
            for (var k = 0; k < i; k++)
            {
                sum -= l[i * d + k] * y[k];
            }
            y[i] = sum / l[i * d + i];
        }

        var theta = new double[d];
        for (var i = d - 1; i >= 0; i--)
        {
            var sum = y[i];
            for (var k = i + 1; k < d; k++)
            {
                sum -= l[k * d + i] * theta[k];
            }
            theta[i] = sum / l[i * d + i];
        }
        return theta;
    }
}
