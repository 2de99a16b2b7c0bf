using System.ComponentModel.DataAnnotations;

namespace Tips.Api.Features.Bandit;

/// <summary>The serving policy (config section <c>Bandit</c>, env <c>Bandit__Epsilon</c> etc.).</summary>
public sealed class BanditOptions
{
    public const string Section = "Bandit";

    /// <summary>Share of picks made uniformly at random, 0..1.</summary>
    [Range(0.0, 1.0, ErrorMessage = "Bandit__Epsilon must be within 0..1.")]
    public double Epsilon { get; set; } = 0.10;

    [Required(ErrorMessage = "Bandit__Policy must name the policy.")]
    public string Policy { get; set; } = "egreedy-ridge";

    [Required(ErrorMessage = "Bandit__PolicyVersion must be set.")]
    public string PolicyVersion { get; set; } = "1";

    /// <summary>Precision of the global model's prior around zero (ridge λ).</summary>
    [Range(1e-6, 1e6, ErrorMessage = "Bandit__RidgeLambda must be positive.")]
    public double RidgeLambda { get; set; } = 1.0;

    /// <summary>Precision of a person's prior around the global model: how many observations of their own it
    /// takes before their model moves away from everyone's.</summary>
    [Range(1e-6, 1e6, ErrorMessage = "Bandit__Shrinkage must be positive.")]
    public double Shrinkage { get; set; } = 10.0;

    /// <summary>How long a replica keeps the global model's coefficients before reading them again; 0 reads them on
    /// every request. Feedback reaches everyone's model at once, but other people's picks see it this much later.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "Bandit__GlobalModelCacheFor must be within 0..10 min.")]
    public TimeSpan GlobalModelCacheFor { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Fixes the random generator (simulations, reproducible runs); unset in production.</summary>
    public int? Seed { get; set; }

    /// <summary>What <c>tip_scores.policy</c> records.</summary>
    public string PolicyName => $"{Policy}@{PolicyVersion}";
}
