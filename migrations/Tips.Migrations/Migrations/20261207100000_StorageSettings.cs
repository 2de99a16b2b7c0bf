using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tips.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class StorageSettings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The model does not change: how two tables are stored and analyzed.
            migrationBuilder.Sql(SqlScripts.Load("0004_storage_settings.sql"));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE bandit_models RESET (toast_tuple_target);
                ALTER TABLE tip_scores ALTER COLUMN features SET STATISTICS -1;
                """);
        }
    }
}
