using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tips.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class AnalystViews : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The model does not change: the analytics schema, its views and grants, and the indexes they need.
            migrationBuilder.Sql(SqlScripts.Load("0002_analytics.sql"));
            migrationBuilder.Sql(SqlScripts.Load("0003_analytics_indexes.sql"));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The schema's default privileges go with it; the analyst keeps only what 0001 granted.
            migrationBuilder.Sql("""
                DROP SCHEMA IF EXISTS analytics CASCADE;
                DROP INDEX IF EXISTS ix_tip_feedback_created_at;
                DROP INDEX IF EXISTS ix_tip_feedback_tip_id_first;
                DO $$
                BEGIN
                  EXECUTE format('ALTER ROLE tips_analyst IN DATABASE %I RESET jit', current_database());
                EXCEPTION WHEN insufficient_privilege THEN
                  NULL;
                END
                $$;
                """);
        }
    }
}
