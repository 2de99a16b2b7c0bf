-- The read-only role analysts log in as (docs/analytics.md). Roles are cluster-wide, so another database of
-- the same cluster may have made it already; the migrator gives it LOGIN and a password when one is configured.
DO $$
BEGIN
  CREATE ROLE tips_analyst NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;

DO $$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO tips_analyst', current_database());
END
$$;

GRANT USAGE ON SCHEMA public TO tips_analyst;

-- What analysts may read. Nothing else: todoist_integrations holds (encrypted) tokens, data_protection_keys the
-- keys that decrypt them, and the rest is operational state.
GRANT SELECT ON tip_scores, tip_feedback TO tips_analyst;
