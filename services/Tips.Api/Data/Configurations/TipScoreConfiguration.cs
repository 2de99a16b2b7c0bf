using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tips.Contracts;

namespace Tips.Api.Data.Configurations;

internal sealed class TipScoreConfiguration : IEntityTypeConfiguration<TipScore>
{
    public void Configure(EntityTypeBuilder<TipScore> score)
    {
        score.ToTable("tip_scores", t =>
        {
            t.HasCheckConstraint("ck_tip_scores_tip_kind", WireEnumConverter<TipKind>.CheckSql("tip_kind"));
            t.HasCheckConstraint("ck_tip_scores_tip_source", WireEnumConverter<TipSource>.CheckSql("tip_source"));
            t.HasCheckConstraint("ck_tip_scores_propensity", "propensity > 0 AND propensity <= 1");
            t.HasCheckConstraint("ck_tip_scores_epsilon", "epsilon >= 0 AND epsilon <= 1");
        });
        score.HasKey(s => s.Id);
        score.Property(s => s.Id).ValueGeneratedNever();
        score.Property(s => s.UserId).HasMaxLength(200);
        score.Property(s => s.TipKind).HasConversion(new WireEnumConverter<TipKind>()).HasMaxLength(16);
        score.Property(s => s.TipSource).HasConversion(new WireEnumConverter<TipSource>()).HasMaxLength(16);
        score.Property(s => s.TaskId).HasMaxLength(100);
        score.Property(s => s.PromptVersion).HasMaxLength(64);
        score.Property(s => s.LlmModel).HasMaxLength(200);
        score.Property(s => s.Policy).HasMaxLength(64);
        score.Property(s => s.Features).HasColumnType("jsonb");

        // For analysts: time-range scans, and one person's history.
        score.HasIndex(s => s.ServedAt);
        score.HasIndex(s => new { s.UserId, s.ServedAt });
    }
}

internal sealed class TipFeedbackConfiguration : IEntityTypeConfiguration<TipFeedback>
{
    public void Configure(EntityTypeBuilder<TipFeedback> feedback)
    {
        feedback.ToTable("tip_feedback", t =>
        {
            t.HasCheckConstraint("ck_tip_feedback_action", WireEnumConverter<FeedbackAction>.CheckSql("action"));
            t.HasCheckConstraint("ck_tip_feedback_dwell_ms", "dwell_ms IS NULL OR dwell_ms >= 0");
        });
        feedback.HasKey(f => f.Id);
        feedback.Property(f => f.Id).UseIdentityAlwaysColumn();
        feedback.Property(f => f.UserId).HasMaxLength(200);
        feedback.Property(f => f.Action).HasConversion(new WireEnumConverter<FeedbackAction>()).HasMaxLength(16);
        feedback.HasIndex(f => new { f.TipId, f.Action }).IsUnique();
        feedback.HasIndex(f => new { f.UserId, f.CreatedAt });
        feedback.HasOne<TipScore>().WithMany().HasForeignKey(f => f.TipId).OnDelete(DeleteBehavior.Restrict);
    }
}
