using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Tips.Contracts;

namespace Tips.Api.Data.Configurations;

internal sealed class UserAccountConfiguration : IEntityTypeConfiguration<UserAccount>
{
    public void Configure(EntityTypeBuilder<UserAccount> user)
    {
        user.ToTable("users");
        user.HasKey(u => u.Id);
        user.Property(u => u.Id).HasMaxLength(200);
        user.Property(u => u.Timezone).HasMaxLength(64);
    }
}

internal sealed class TodoistIntegrationConfiguration : IEntityTypeConfiguration<TodoistIntegration>
{
    public void Configure(EntityTypeBuilder<TodoistIntegration> integration)
    {
        integration.ToTable("todoist_integrations", t => t.HasCheckConstraint(
            "ck_todoist_integrations_token_status", WireEnumConverter<TokenStatus>.CheckSql("token_status")));
        integration.HasKey(i => i.UserId);
        integration.Property(i => i.TokenStatus).HasConversion(new WireEnumConverter<TokenStatus>()).HasMaxLength(16);
        integration.HasOne<UserAccount>().WithOne().HasForeignKey<TodoistIntegration>(i => i.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TaskSnapshotConfiguration : IEntityTypeConfiguration<TaskSnapshot>
{
    public void Configure(EntityTypeBuilder<TaskSnapshot> snapshot)
    {
        snapshot.ToTable("task_snapshots");
        snapshot.HasKey(s => s.UserId);
        snapshot.Property(s => s.Tasks).HasColumnType("jsonb");
        snapshot.Property(s => s.LastError).HasMaxLength(500);
        snapshot.HasOne<UserAccount>().WithOne().HasForeignKey<TaskSnapshot>(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class LlmCandidateSetConfiguration : IEntityTypeConfiguration<LlmCandidateSet>
{
    public void Configure(EntityTypeBuilder<LlmCandidateSet> set)
    {
        set.ToTable("llm_candidate_sets");
        set.HasKey(s => s.UserId);
        set.Property(s => s.Candidates).HasColumnType("jsonb");
        set.Property(s => s.PromptVersion).HasMaxLength(64);
        set.Property(s => s.LlmModel).HasMaxLength(200);
        set.HasOne<UserAccount>().WithOne().HasForeignKey<LlmCandidateSet>(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
