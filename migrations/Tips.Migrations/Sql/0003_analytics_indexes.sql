-- Indexes the analytics views and the queries in docs/analytics.md need on a year of traffic (proof:
-- bench/analytics, results in docs/analytics.md), and session settings for the analyst role.

-- Feedback of a range of tips: posts are filtered by created_at before the first post per tip is taken.
CREATE INDEX IF NOT EXISTS ix_tip_feedback_created_at ON tip_feedback (created_at);

-- The first post of every tip, in order, without touching the table (an index-only scan over whole years).
CREATE INDEX IF NOT EXISTS ix_tip_feedback_tip_id_first
  ON tip_feedback (tip_id, created_at, id) INCLUDE (action, dwell_ms, reward_milli);

-- The planner must know analytics.settings holds one row (autovacuum never analyzes so small a table).
ANALYZE analytics.settings;

-- JIT compilation of these wide plans costs seconds and saves milliseconds: off for the analyst in this database.
-- Roles are cluster-wide and may have been made by another database's owner; then this is left to an operator.
DO $$
BEGIN
  EXECUTE format('ALTER ROLE tips_analyst IN DATABASE %I SET jit = off', current_database());
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'tips_analyst: jit not turned off (%); see docs/analytics.md', SQLERRM;
END
$$;
