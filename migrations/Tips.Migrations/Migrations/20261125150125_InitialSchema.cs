using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Tips.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "bandit_models",
                columns: table => new
                {
                    model_key = table.Column<string>(type: "character varying(220)", maxLength: 220, nullable: false),
                    policy = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    dimension = table.Column<int>(type: "integer", nullable: false),
                    a_matrix = table.Column<double[]>(type: "double precision[]", nullable: false),
                    b_vector = table.Column<double[]>(type: "double precision[]", nullable: false),
                    observations = table.Column<long>(type: "bigint", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_bandit_models", x => x.model_key);
                });

            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    friendly_name = table.Column<string>(type: "text", nullable: true),
                    xml = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_protection_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "tip_scores",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    request_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    served_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    position = table.Column<short>(type: "smallint", nullable: false),
                    content = table.Column<string>(type: "text", nullable: false),
                    tip_kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    tip_source = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    task_id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    rationale = table.Column<string>(type: "text", nullable: false),
                    prompt_version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    llm_model = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    policy = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    epsilon = table.Column<double>(type: "double precision", nullable: false),
                    explored = table.Column<bool>(type: "boolean", nullable: false),
                    propensity = table.Column<double>(type: "double precision", nullable: false),
                    predicted_reward = table.Column<double>(type: "double precision", nullable: false),
                    candidate_count = table.Column<int>(type: "integer", nullable: false),
                    features = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tip_scores", x => x.id);
                    table.CheckConstraint("ck_tip_scores_epsilon", "epsilon >= 0 AND epsilon <= 1");
                    table.CheckConstraint("ck_tip_scores_propensity", "propensity > 0 AND propensity <= 1");
                    table.CheckConstraint("ck_tip_scores_tip_kind", "tip_kind IN ('task', 'advice', 'insight', 'reminder')");
                    table.CheckConstraint("ck_tip_scores_tip_source", "tip_source IN ('llm', 'task_direct', 'fallback')");
                });

            migrationBuilder.CreateTable(
                name: "users",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    timezone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_users", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "tip_feedback",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    tip_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    action = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    dwell_ms = table.Column<long>(type: "bigint", nullable: true),
                    reward_milli = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tip_feedback", x => x.id);
                    table.CheckConstraint("ck_tip_feedback_action", "action IN ('done', 'dismiss', 'snooze', 'helpful', 'not_helpful')");
                    table.CheckConstraint("ck_tip_feedback_dwell_ms", "dwell_ms IS NULL OR dwell_ms >= 0");
                    table.ForeignKey(
                        name: "fk_tip_feedback_tip_scores_tip_id",
                        column: x => x.tip_id,
                        principalTable: "tip_scores",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "llm_candidate_sets",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "character varying(200)", nullable: false),
                    candidates = table.Column<string>(type: "jsonb", nullable: false),
                    prompt_version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    llm_model = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    generated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    refresh_started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_llm_candidate_sets", x => x.user_id);
                    table.ForeignKey(
                        name: "fk_llm_candidate_sets_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "task_snapshots",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "character varying(200)", nullable: false),
                    tasks = table.Column<string>(type: "jsonb", nullable: false),
                    fetched_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_error = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    retry_not_before = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_task_snapshots", x => x.user_id);
                    table.ForeignKey(
                        name: "fk_task_snapshots_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "todoist_integrations",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "character varying(200)", nullable: false),
                    token_ciphertext = table.Column<string>(type: "text", nullable: false),
                    token_status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    checked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    connected_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_todoist_integrations", x => x.user_id);
                    table.CheckConstraint("ck_todoist_integrations_token_status", "token_status IN ('valid', 'invalid', 'missing', 'unknown')");
                    table.ForeignKey(
                        name: "fk_todoist_integrations_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_tip_feedback_tip_id_action",
                table: "tip_feedback",
                columns: new[] { "tip_id", "action" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_tip_feedback_user_id_created_at",
                table: "tip_feedback",
                columns: new[] { "user_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_tip_scores_served_at",
                table: "tip_scores",
                column: "served_at");

            migrationBuilder.CreateIndex(
                name: "ix_tip_scores_user_id_served_at",
                table: "tip_scores",
                columns: new[] { "user_id", "served_at" });

            // The analyst role and its read grants (roles are cluster-wide: created only if missing).
            migrationBuilder.Sql(SqlScripts.Load("0001_analyst_role.sql"));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The role itself stays: other databases of the cluster may use it.
            migrationBuilder.Sql("REVOKE ALL ON tip_scores, tip_feedback FROM tips_analyst;");

            migrationBuilder.DropTable(
                name: "bandit_models");

            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "llm_candidate_sets");

            migrationBuilder.DropTable(
                name: "task_snapshots");

            migrationBuilder.DropTable(
                name: "tip_feedback");

            migrationBuilder.DropTable(
                name: "todoist_integrations");

            migrationBuilder.DropTable(
                name: "tip_scores");

            migrationBuilder.DropTable(
                name: "users");
        }
    }
}
