using Microsoft.EntityFrameworkCore.Design;
using Tips.Api.Data;

namespace Tips.Migrations;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the API.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<TipsDbContext>
{
    public TipsDbContext CreateDbContext(string[] args) => new(TipsDatabase.Options(
        Environment.GetEnvironmentVariable("ConnectionStrings__Tips") ?? "Host=localhost;Database=tips_design"));
}
