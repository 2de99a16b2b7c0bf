using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tips.Api.Data.Configurations;

internal sealed class BanditModelStateConfiguration : IEntityTypeConfiguration<BanditModelState>
{
    public void Configure(EntityTypeBuilder<BanditModelState> model)
    {
        model.ToTable("bandit_models");
        model.HasKey(m => m.ModelKey);
        model.Property(m => m.ModelKey).HasMaxLength(220);
        model.Property(m => m.Policy).HasMaxLength(64);
        model.Property(m => m.Version).IsRowVersion();
    }
}
