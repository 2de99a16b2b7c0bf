-- Analysts' views of served tips and their rewards, and off-policy estimates from the logged propensities.
-- docs/analytics.md documents every object and column here. Everything is created "or replaced" and every grant
-- is repeated, so running this script again changes nothing and restores what a later edit may have dropped.
--
-- Shape: each view is a set-returning SQL function with default arguments, plus a view of the same name that calls
-- it with the defaults. The functions are plain SECURITY INVOKER, STABLE, single-query SQL, so Postgres inlines
-- them: a filter on served_at outside reaches the index inside. They read only tip_scores and tip_feedback, which
-- the caller must be allowed to read anyway.

CREATE SCHEMA IF NOT EXISTS analytics;
COMMENT ON SCHEMA analytics IS
  'Views and functions for analysts over tip_scores and tip_feedback (docs/analytics.md). Holds nothing secret.';

-- One row: the defaults the views use. Only the owner of the database changes it; analysts pass their own values
-- to the functions instead.
CREATE TABLE IF NOT EXISTS analytics.settings (
  id boolean PRIMARY KEY DEFAULT true CONSTRAINT ck_settings_single_row CHECK (id),
  feedback_window interval NOT NULL DEFAULT interval '24 hours'
    CONSTRAINT ck_settings_feedback_window_positive CHECK (feedback_window > interval '0')
);
COMMENT ON TABLE analytics.settings IS 'Defaults of the analytics views (one row).';
COMMENT ON COLUMN analytics.settings.feedback_window IS
  'How long after serving a tip its first feedback still counts; a tip with none by then has reward 0 (imputed).';
INSERT INTO analytics.settings (id) VALUES (true) ON CONFLICT (id) DO NOTHING;

-- One count of the candidate pool as Tips.Api logs it in tip_scores.features: {"pool": {"k": K, "kinds":
-- {"task": 2, ...}, "sources": {"llm": 3, ...}}}, where a kind or source the pool lacks is absent (0). NULL when the
-- pool was not logged at all; -1 when the entry is not a sane number, so the row fails the consistency check in
-- logged_decisions instead of failing the query.
CREATE OR REPLACE FUNCTION analytics.pool_count(counts jsonb, name text)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE
    WHEN counts IS NULL THEN NULL
    WHEN counts -> name IS NULL THEN 0
    WHEN jsonb_typeof(counts -> name) = 'number' THEN round(least(greatest((counts -> name)::numeric, -1), 1000000))::integer
    ELSE -1
  END
$$;

-- --------------------------------------------------------------------------------------------------- served_tips

CREATE OR REPLACE FUNCTION analytics.served_tips(
  since timestamptz DEFAULT NULL,
  until timestamptz DEFAULT NULL,
  feedback_window interval DEFAULT NULL,
  as_of timestamptz DEFAULT NULL)
RETURNS TABLE (
  tip_id uuid,
  request_id uuid,
  user_id text,
  served_at timestamptz,
  served_day date,
  "position" smallint,
  tip_kind text,
  tip_source text,
  task_id text,
  prompt_version text,
  llm_model text,
  model_label text,
  policy text,
  epsilon double precision,
  explored boolean,
  propensity double precision,
  predicted_reward double precision,
  candidate_count integer,
  feedback_count bigint,
  first_action text,
  first_dwell_ms bigint,
  first_feedback_at timestamptz,
  first_reward double precision,
  window_ends_at timestamptz,
  outcome text,
  reward double precision,
  reward_imputed boolean,
  features jsonb)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT
    s.id,
    s.request_id,
    s.user_id::text,
    s.served_at,
    (s.served_at AT TIME ZONE 'UTC')::date,
    s.position,
    s.tip_kind::text,
    s.tip_source::text,
    s.task_id::text,
    s.prompt_version::text,
    s.llm_model::text,
    CASE
      WHEN s.llm_model IS NOT NULL THEN s.llm_model::text
      WHEN s.tip_source = 'llm' THEN '(unknown model)'
      ELSE '(bandit-only)'
    END,
    s.policy::text,
    s.epsilon,
    s.explored,
    s.propensity,
    s.predicted_reward,
    s.candidate_count,
    coalesce(f.feedback_count, 0),
    f.action::text,
    f.dwell_ms,
    f.created_at,
    f.reward_milli / 1000.0::double precision,
    s.served_at + w.feedback_window,
    o.outcome,
    o.reward,
    o.outcome = 'timeout',
    s.features
  FROM (
    -- The settings row is always there; were it deleted, the documented default still applies.
    SELECT
      coalesce(served_tips.feedback_window, st.feedback_window, interval '24 hours') AS feedback_window,
      coalesce(served_tips.as_of, now()) AS as_of
    FROM (VALUES (true)) AS one (id)
    LEFT JOIN analytics.settings st ON st.id = one.id
  ) w
  JOIN public.tip_scores s
    ON s.served_at <= w.as_of
   AND s.served_at >= coalesce(served_tips.since, '-infinity')
   AND s.served_at < coalesce(served_tips.until, 'infinity')
  LEFT JOIN (
    -- The first post of each tip (and how many there were). Feedback never precedes its tip, so posts older than
    -- the range (less a day for clock skew between replicas) are skipped without changing the answer.
    SELECT DISTINCT ON (fb.tip_id)
      fb.tip_id, fb.action, fb.dwell_ms, fb.created_at, fb.reward_milli,
      count(*) OVER (PARTITION BY fb.tip_id) AS feedback_count
    FROM public.tip_feedback fb
    WHERE fb.created_at <= coalesce(served_tips.as_of, now())
      AND fb.created_at >= coalesce(served_tips.since, '-infinity') - interval '1 day'
    ORDER BY fb.tip_id, fb.created_at, fb.id
  ) f ON f.tip_id = s.id
  CROSS JOIN LATERAL (
    -- OFFSET 0 keeps this apart, so a query that aggregates many expressions over outcome and reward computes them
    -- once per tip instead of once per use.
    SELECT
      x.outcome,
      CASE x.outcome
        WHEN 'feedback' THEN f.reward_milli / 1000.0::double precision
        WHEN 'timeout' THEN 0.0::double precision
      END AS reward
    FROM (
      SELECT CASE
        WHEN f.created_at <= s.served_at + w.feedback_window THEN 'feedback'
        WHEN s.served_at + w.feedback_window <= w.as_of THEN 'timeout'
        ELSE 'pending'
      END AS outcome
    ) x
    OFFSET 0
  ) o
$$;

CREATE OR REPLACE VIEW analytics.served_tips AS SELECT * FROM analytics.served_tips();
COMMENT ON VIEW analytics.served_tips IS
  'One row per served tip with its first feedback and its reward (0 when none came within the feedback window).';

-- --------------------------------------------------------------------------------------------- reward_by_variant

CREATE OR REPLACE FUNCTION analytics.reward_by_variant(
  since timestamptz DEFAULT NULL,
  until timestamptz DEFAULT NULL,
  feedback_window interval DEFAULT NULL,
  as_of timestamptz DEFAULT NULL)
RETURNS TABLE (
  llm_model text,
  prompt_version text,
  tip_kind text,
  tip_source text,
  served bigint,
  pending bigint,
  decided bigint,
  with_feedback bigint,
  timed_out bigint,
  done bigint,
  dismiss bigint,
  snooze bigint,
  helpful bigint,
  not_helpful bigint,
  reward_sum double precision,
  mean_reward double precision,
  reward_stderr double precision,
  mean_reward_with_feedback double precision,
  feedback_rate double precision,
  done_rate double precision,
  dismiss_rate double precision,
  snooze_rate double precision,
  helpful_rate double precision,
  not_helpful_rate double precision,
  first_served_at timestamptz,
  last_served_at timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT
    t.model_label,
    t.prompt_version,
    t.tip_kind,
    t.tip_source,
    count(*),
    count(*) FILTER (WHERE t.outcome = 'pending'),
    count(t.reward),
    count(*) FILTER (WHERE t.outcome = 'feedback'),
    count(*) FILTER (WHERE t.outcome = 'timeout'),
    count(*) FILTER (WHERE t.outcome = 'feedback' AND t.first_action = 'done'),
    count(*) FILTER (WHERE t.outcome = 'feedback' AND t.first_action = 'dismiss'),
    count(*) FILTER (WHERE t.outcome = 'feedback' AND t.first_action = 'snooze'),
    count(*) FILTER (WHERE t.outcome = 'feedback' AND t.first_action = 'helpful'),
    count(*) FILTER (WHERE t.outcome = 'feedback' AND t.first_action = 'not_helpful'),
    coalesce(sum(t.reward), 0),
    avg(t.reward),
    stddev_samp(t.reward) / sqrt(nullif(count(t.reward), 0)),
    avg(t.reward) FILTER (WHERE t.outcome = 'feedback'),
    (count(*) FILTER (WHERE t.outcome = 'feedback'))::double precision / nullif(count(t.reward), 0),
    (count(*) FILTER (WHERE t.outcome = 'feedback' AND t.first_action = 'done'))::double precision / nullif(count(t.reward), 0),
    (count(*) FILTER (WHERE t.outcome = 'feedback' AND t.first_action = 'dismiss'))::double precision / nullif(count(t.reward), 0),
    (count(*) FILTER (WHERE t.outcome = 'feedback' AND t.first_action = 'snooze'))::double precision / nullif(count(t.reward), 0),
    (count(*) FILTER (WHERE t.outcome = 'feedback' AND t.first_action = 'helpful'))::double precision / nullif(count(t.reward), 0),
    (count(*) FILTER (WHERE t.outcome = 'feedback' AND t.first_action = 'not_helpful'))::double precision / nullif(count(t.reward), 0),
    min(t.served_at),
    max(t.served_at)
  FROM analytics.served_tips(reward_by_variant.since, reward_by_variant.until,
                             reward_by_variant.feedback_window, reward_by_variant.as_of) t
  GROUP BY t.model_label, t.prompt_version, t.tip_kind, t.tip_source
$$;

CREATE OR REPLACE VIEW analytics.reward_by_variant AS SELECT * FROM analytics.reward_by_variant();
COMMENT ON VIEW analytics.reward_by_variant IS
  'Reward and first-action rates by llm_model x prompt_version x tip_kind x tip_source, with counts.';

-- -------------------------------------------------------------------------------------------------- daily_trends

CREATE OR REPLACE FUNCTION analytics.daily_trends(
  since timestamptz DEFAULT NULL,
  until timestamptz DEFAULT NULL,
  feedback_window interval DEFAULT NULL,
  as_of timestamptz DEFAULT NULL)
RETURNS TABLE (
  day date,
  tip_kind text,
  tip_source text,
  served bigint,
  pending bigint,
  decided bigint,
  with_feedback bigint,
  timed_out bigint,
  done bigint,
  dismiss bigint,
  explored bigint,
  reward_sum double precision,
  mean_reward double precision,
  feedback_rate double precision,
  done_rate double precision,
  dismiss_rate double precision)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT
    t.served_day,
    t.tip_kind,
    t.tip_source,
    count(*),
    count(*) FILTER (WHERE t.outcome = 'pending'),
    count(t.reward),
    count(*) FILTER (WHERE t.outcome = 'feedback'),
    count(*) FILTER (WHERE t.outcome = 'timeout'),
    count(*) FILTER (WHERE t.outcome = 'feedback' AND t.first_action = 'done'),
    count(*) FILTER (WHERE t.outcome = 'feedback' AND t.first_action = 'dismiss'),
    count(*) FILTER (WHERE t.explored),
    coalesce(sum(t.reward), 0),
    avg(t.reward),
    (count(*) FILTER (WHERE t.outcome = 'feedback'))::double precision / nullif(count(t.reward), 0),
    (count(*) FILTER (WHERE t.outcome = 'feedback' AND t.first_action = 'done'))::double precision / nullif(count(t.reward), 0),
    (count(*) FILTER (WHERE t.outcome = 'feedback' AND t.first_action = 'dismiss'))::double precision / nullif(count(t.reward), 0)
  FROM analytics.served_tips(daily_trends.since, daily_trends.until,
                             daily_trends.feedback_window, daily_trends.as_of) t
  GROUP BY t.served_day, t.tip_kind, t.tip_source
$$;

CREATE OR REPLACE VIEW analytics.daily_trends AS SELECT * FROM analytics.daily_trends();
COMMENT ON VIEW analytics.daily_trends IS 'Served tips, rewards and first actions per UTC day x tip_kind x tip_source.';

-- --------------------------------------------------------------------------------------------------- exploration

CREATE OR REPLACE FUNCTION analytics.exploration(
  since timestamptz DEFAULT NULL,
  until timestamptz DEFAULT NULL,
  feedback_window interval DEFAULT NULL,
  as_of timestamptz DEFAULT NULL)
RETURNS TABLE (
  policy text,
  explored boolean,
  served bigint,
  decided bigint,
  with_feedback bigint,
  serve_share double precision,
  mean_reward double precision,
  reward_stderr double precision,
  mean_predicted_reward double precision,
  mean_propensity double precision,
  feedback_rate double precision,
  done_rate double precision,
  dismiss_rate double precision)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT
    t.policy,
    t.explored,
    count(*),
    count(t.reward),
    count(*) FILTER (WHERE t.outcome = 'feedback'),
    count(*)::double precision / sum(count(*)) OVER (PARTITION BY t.policy),
    avg(t.reward),
    stddev_samp(t.reward) / sqrt(nullif(count(t.reward), 0)),
    avg(t.predicted_reward),
    avg(t.propensity),
    (count(*) FILTER (WHERE t.outcome = 'feedback'))::double precision / nullif(count(t.reward), 0),
    (count(*) FILTER (WHERE t.outcome = 'feedback' AND t.first_action = 'done'))::double precision / nullif(count(t.reward), 0),
    (count(*) FILTER (WHERE t.outcome = 'feedback' AND t.first_action = 'dismiss'))::double precision / nullif(count(t.reward), 0)
  FROM analytics.served_tips(exploration.since, exploration.until,
                             exploration.feedback_window, exploration.as_of) t
  GROUP BY t.policy, t.explored
$$;

CREATE OR REPLACE VIEW analytics.exploration AS SELECT * FROM analytics.exploration();
COMMENT ON VIEW analytics.exploration IS 'Explored (uniform branch) vs exploited (greedy branch) serves per policy.';

-- ---------------------------------------------------------------------------------------------------- arm_values

CREATE OR REPLACE FUNCTION analytics.arm_values(
  since timestamptz DEFAULT NULL,
  until timestamptz DEFAULT NULL,
  feedback_window interval DEFAULT NULL,
  as_of timestamptz DEFAULT NULL)
RETURNS TABLE (
  policy text,
  tip_kind text,
  tip_source text,
  served bigint,
  decided bigint,
  serve_share double precision,
  mean_reward double precision,
  reward_stderr double precision,
  ci95_low double precision,
  ci95_high double precision,
  mean_predicted_reward double precision,
  calibration_gap double precision,
  explored_decided bigint,
  explored_mean_reward double precision)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT
    a.policy, a.tip_kind, a.tip_source, a.served, a.decided, a.serve_share, a.mean_reward, a.reward_stderr,
    a.mean_reward - 1.96 * a.reward_stderr,
    a.mean_reward + 1.96 * a.reward_stderr,
    a.mean_predicted_reward,
    a.mean_predicted_reward - a.mean_reward,
    a.explored_decided,
    a.explored_mean_reward
  FROM (
    SELECT
      t.policy,
      t.tip_kind,
      t.tip_source,
      count(*) AS served,
      count(t.reward) AS decided,
      count(*)::double precision / sum(count(*)) OVER (PARTITION BY t.policy) AS serve_share,
      avg(t.reward) AS mean_reward,
      stddev_samp(t.reward) / sqrt(nullif(count(t.reward), 0)) AS reward_stderr,
      avg(t.predicted_reward) FILTER (WHERE t.reward IS NOT NULL) AS mean_predicted_reward,
      count(t.reward) FILTER (WHERE t.explored) AS explored_decided,
      avg(t.reward) FILTER (WHERE t.explored) AS explored_mean_reward
    FROM analytics.served_tips(arm_values.since, arm_values.until,
                               arm_values.feedback_window, arm_values.as_of) t
    GROUP BY t.policy, t.tip_kind, t.tip_source
  ) a
$$;

CREATE OR REPLACE VIEW analytics.arm_values AS SELECT * FROM analytics.arm_values();
COMMENT ON VIEW analytics.arm_values IS
  'Observed mean reward per arm (tip_kind x tip_source) and policy, against what the bandit predicted.';

-- ---------------------------------------------------------------------------------------------- logged_decisions

-- The decisions off-policy evaluation can use: slot 0 of each request, whose propensity is the logging policy's
-- marginal probability of the served candidate among all candidate_count candidates. The pool counts are those the
-- recommender logged in features.pool; pool_logged is false (and the counts NULL) when the pool is missing or its
-- counts do not add up, and then only policies that need no more than candidate_count (uniform_random) can use it.
CREATE OR REPLACE FUNCTION analytics.logged_decisions(
  since timestamptz DEFAULT NULL,
  until timestamptz DEFAULT NULL,
  feedback_window interval DEFAULT NULL,
  as_of timestamptz DEFAULT NULL)
RETURNS TABLE (
  tip_id uuid,
  request_id uuid,
  served_at timestamptz,
  policy text,
  epsilon double precision,
  explored boolean,
  tip_kind text,
  tip_source text,
  llm_model text,
  prompt_version text,
  propensity double precision,
  candidate_count integer,
  outcome text,
  reward double precision,
  pool_logged boolean,
  pool_task integer,
  pool_advice integer,
  pool_insight integer,
  pool_reminder integer,
  pool_llm integer,
  pool_task_direct integer,
  pool_fallback integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT
    t.tip_id, t.request_id, t.served_at, t.policy, t.epsilon, t.explored, t.tip_kind, t.tip_source, t.model_label,
    t.prompt_version, t.propensity, t.candidate_count, t.outcome, t.reward,
    k.ok,
    CASE WHEN k.ok THEN c.k_task END,
    CASE WHEN k.ok THEN c.k_advice END,
    CASE WHEN k.ok THEN c.k_insight END,
    CASE WHEN k.ok THEN c.k_reminder END,
    CASE WHEN k.ok THEN c.s_llm END,
    CASE WHEN k.ok THEN c.s_task_direct END,
    CASE WHEN k.ok THEN c.s_fallback END
  FROM analytics.served_tips(logged_decisions.since, logged_decisions.until,
                             logged_decisions.feedback_window, logged_decisions.as_of) t
  -- The pool's two small count objects, taken out of the features document once; OFFSET 0 here and below makes
  -- each count and check a value computed once per row (mostly from cache: pools repeat), not an expression
  -- repeated wherever it is used.
  CROSS JOIN LATERAL (
    SELECT
      CASE WHEN jsonb_typeof(t.features -> 'pool' -> 'kinds') = 'object' THEN t.features -> 'pool' -> 'kinds' END AS kinds,
      CASE WHEN jsonb_typeof(t.features -> 'pool' -> 'sources') = 'object' THEN t.features -> 'pool' -> 'sources' END AS sources
    OFFSET 0
  ) x
  CROSS JOIN LATERAL (
    SELECT
      analytics.pool_count(x.kinds, 'task') AS k_task,
      analytics.pool_count(x.kinds, 'advice') AS k_advice,
      analytics.pool_count(x.kinds, 'insight') AS k_insight,
      analytics.pool_count(x.kinds, 'reminder') AS k_reminder,
      analytics.pool_count(x.sources, 'llm') AS s_llm,
      analytics.pool_count(x.sources, 'task_direct') AS s_task_direct,
      analytics.pool_count(x.sources, 'fallback') AS s_fallback
    OFFSET 0
  ) c
  CROSS JOIN LATERAL (
    SELECT coalesce(
      least(c.k_task, c.k_advice, c.k_insight, c.k_reminder, c.s_llm, c.s_task_direct, c.s_fallback) >= 0
      AND c.k_task + c.k_advice + c.k_insight + c.k_reminder = t.candidate_count
      AND c.s_llm + c.s_task_direct + c.s_fallback = t.candidate_count
      AND CASE t.tip_kind WHEN 'task' THEN c.k_task WHEN 'advice' THEN c.k_advice
                          WHEN 'insight' THEN c.k_insight WHEN 'reminder' THEN c.k_reminder END >= 1
      AND CASE t.tip_source WHEN 'llm' THEN c.s_llm WHEN 'task_direct' THEN c.s_task_direct
                            WHEN 'fallback' THEN c.s_fallback END >= 1,
      false) AS ok
    OFFSET 0
  ) k
  WHERE t.position = 0
$$;

CREATE OR REPLACE VIEW analytics.logged_decisions AS SELECT * FROM analytics.logged_decisions();
COMMENT ON VIEW analytics.logged_decisions IS
  'Slot-0 decisions with propensity, reward and the logged candidate pool: the input of off-policy evaluation.';

-- ---------------------------------------------------------------------------------------------- policy_estimates

-- IPS and self-normalised IPS of candidate policies from the logged decisions whose reward is known:
--   logged          the live (logging) policy itself: weight 1, the on-policy mean;
--   uniform_random  a uniform pick among the candidate_count candidates: weight (1/K) / propensity;
--   always_kind X   a uniform pick among the pool's candidates of kind X, or the live policy's own choice when the
--                   pool has none: weight 1/(n_X * propensity) when the served tip is of kind X, 1 when n_X = 0,
--                   else 0; needs the pool counts, so rows without them are left out (see coverage);
--   always_source Y the same over tip_source.
CREATE OR REPLACE FUNCTION analytics.policy_estimates(
  since timestamptz DEFAULT NULL,
  until timestamptz DEFAULT NULL,
  feedback_window interval DEFAULT NULL,
  as_of timestamptz DEFAULT NULL)
RETURNS TABLE (
  target text,
  arm text,
  decisions bigint,
  decisions_used bigint,
  coverage double precision,
  matched bigint,
  fallback bigint,
  greedy_only bigint,
  ips double precision,
  ips_stderr double precision,
  snips double precision,
  snips_stderr double precision,
  ess double precision,
  ess_share double precision,
  mean_weight double precision,
  max_weight double precision,
  logged_value double precision)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  WITH targets (ordinal, target, arm) AS (
    VALUES
      (1, 'logged', NULL::text),
      (2, 'uniform_random', NULL),
      (3, 'always_kind', 'task'),
      (4, 'always_kind', 'advice'),
      (5, 'always_kind', 'insight'),
      (6, 'always_kind', 'reminder'),
      (7, 'always_source', 'llm'),
      (8, 'always_source', 'task_direct'),
      (9, 'always_source', 'fallback')
  ),
  -- Decisions that share everything a weight depends on share their weight: sum them first, then weigh a few
  -- hundred groups per target instead of every decision.
  decision_groups AS (
    SELECT
      d.propensity, d.candidate_count, d.tip_kind, d.tip_source, d.pool_logged,
      d.pool_task, d.pool_advice, d.pool_insight, d.pool_reminder, d.pool_llm, d.pool_task_direct, d.pool_fallback,
      d.epsilon = 0 AND d.candidate_count > 1 AS greedy_only,
      count(*) AS n,
      sum(d.reward) AS s_r,
      sum(d.reward * d.reward) AS s_rr
    FROM analytics.logged_decisions(policy_estimates.since, policy_estimates.until,
                                    policy_estimates.feedback_window, policy_estimates.as_of) d
    WHERE d.reward IS NOT NULL
    GROUP BY d.propensity, d.candidate_count, d.tip_kind, d.tip_source, d.pool_logged,
      d.pool_task, d.pool_advice, d.pool_insight, d.pool_reminder, d.pool_llm, d.pool_task_direct, d.pool_fallback,
      d.epsilon = 0 AND d.candidate_count > 1
  ),
  weighted AS (
    SELECT
      g.ordinal, d.n, d.s_r, d.s_rr, d.greedy_only, c.arm_count,
      CASE
        WHEN g.target = 'logged' THEN 1.0::double precision
        WHEN g.target = 'uniform_random' THEN 1.0 / (d.candidate_count * d.propensity)
        WHEN NOT d.pool_logged THEN NULL
        WHEN c.arm_count = 0 THEN 1.0::double precision
        WHEN (g.target = 'always_kind' AND d.tip_kind = g.arm)
          OR (g.target = 'always_source' AND d.tip_source = g.arm) THEN 1.0 / (c.arm_count * d.propensity)
        ELSE 0.0::double precision
      END AS weight
    FROM decision_groups d
    CROSS JOIN targets g
    CROSS JOIN LATERAL (
      SELECT CASE g.arm
        WHEN 'task' THEN d.pool_task WHEN 'advice' THEN d.pool_advice
        WHEN 'insight' THEN d.pool_insight WHEN 'reminder' THEN d.pool_reminder
        WHEN 'llm' THEN d.pool_llm WHEN 'task_direct' THEN d.pool_task_direct
        WHEN 'fallback' THEN d.pool_fallback
      END AS arm_count
    ) c
  ),
  sums AS (
    SELECT
      w.ordinal,
      sum(w.n) AS decisions,
      coalesce(sum(w.n) FILTER (WHERE w.weight IS NOT NULL), 0) AS used,
      coalesce(sum(w.n) FILTER (WHERE w.weight > 0), 0) AS matched,
      coalesce(sum(w.n) FILTER (WHERE w.arm_count = 0), 0) AS fallback,
      coalesce(sum(w.n) FILTER (WHERE w.weight IS NOT NULL AND w.greedy_only), 0) AS greedy_only,
      sum(w.weight * w.n) AS s_w,
      sum(w.weight * w.weight * w.n) AS s_ww,
      sum(w.weight * w.s_r) AS s_wr,
      sum(w.weight * w.weight * w.s_r) AS s_wwr,
      sum(w.weight * w.weight * w.s_rr) AS s_wwrr,
      sum(w.s_r) FILTER (WHERE w.weight IS NOT NULL) AS s_r,
      max(w.weight) AS max_w
    FROM weighted w
    GROUP BY w.ordinal
  ),
  estimates AS (
    SELECT
      g.ordinal, g.target, g.arm,
      coalesce(a.decisions, 0) AS decisions,
      coalesce(a.used, 0) AS used,
      coalesce(a.matched, 0) AS matched,
      coalesce(a.fallback, 0) AS fallback,
      coalesce(a.greedy_only, 0) AS greedy_only,
      a.s_w, a.s_ww, a.s_wwr, a.s_wwrr, a.max_w, a.s_r,
      a.s_wr / nullif(a.used, 0) AS ips,
      a.s_wr / nullif(a.s_w, 0) AS snips
    FROM targets g
    LEFT JOIN sums a ON a.ordinal = g.ordinal
  )
  SELECT
    e.target, e.arm, e.decisions, e.used,
    e.used::double precision / nullif(e.decisions, 0),
    e.matched, e.fallback, e.greedy_only,
    e.ips,
    -- sample standard deviation of w*r over the used decisions, over sqrt(n)
    sqrt(greatest(e.s_wwrr - e.used * e.ips ^ 2, 0) / nullif(e.used - 1, 0)) / sqrt(nullif(e.used, 0)),
    e.snips,
    -- delta method: sqrt(sum w^2 (r - snips)^2) / sum w
    sqrt(greatest(e.s_wwrr - 2 * e.snips * e.s_wwr + e.snips ^ 2 * e.s_ww, 0)) / nullif(e.s_w, 0),
    e.s_w ^ 2 / nullif(e.s_ww, 0),
    e.s_w ^ 2 / nullif(e.s_ww, 0) / nullif(e.used, 0),
    e.s_w / nullif(e.used, 0),
    e.max_w,
    e.s_r / nullif(e.used, 0)
  FROM estimates e
  ORDER BY e.ordinal
$$;

CREATE OR REPLACE VIEW analytics.policy_estimates AS SELECT * FROM analytics.policy_estimates();
COMMENT ON VIEW analytics.policy_estimates IS
  'IPS / SNIPS estimates and effective sample size of candidate policies, from slot-0 decisions (all time).';

-- ---------------------------------------------------------------------------------------------------- privileges

-- The analyst reads the schema and everything in it (and tip_scores/tip_feedback, granted by 0001), and writes
-- nothing: no INSERT/UPDATE/DELETE anywhere, no CREATE in any schema.
GRANT USAGE ON SCHEMA analytics TO tips_analyst;
REVOKE CREATE ON SCHEMA analytics FROM PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO tips_analyst;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA analytics FROM tips_analyst;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA analytics TO tips_analyst;
-- Objects a later migration adds to the schema (as the same owner) are readable too.
ALTER DEFAULT PRIVILEGES IN SCHEMA analytics GRANT SELECT ON TABLES TO tips_analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA analytics GRANT EXECUTE ON FUNCTIONS TO tips_analyst;
-- Before Postgres 15 every role could create in public; analysts must not.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
