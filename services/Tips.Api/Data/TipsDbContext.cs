using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Tips.Api.Data;

public sealed class TipsDbContext(DbContextOptions<TipsDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<UserAccount> Users => Set<UserAccount>();
    public DbSet<TodoistIntegration> TodoistIntegrations => Set<TodoistIntegration>();
    public DbSet<TaskSnapshot> TaskSnapshots => Set<TaskSnapshot>();
    public DbSet<LlmCandidateSet> LlmCandidateSets => Set<LlmCandidateSet>();
    public DbSet<BanditModelState> BanditModels => Set<BanditModelState>();
    public DbSet<TipScore> TipScores => Set<TipScore>();
    public DbSet<TipFeedback> TipFeedback => Set<TipFeedback>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(TipsDbContext).Assembly);
}
