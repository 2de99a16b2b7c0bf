-- A year of synthetic traffic in tip_scores and tip_feedback, for the EXPLAIN ANALYZE proof in docs/analytics.md.
-- Repeatable: a fixed seed and a serial plan give the same rows on every run (served_at is relative to now()).
--
--   psql "<connection>" -v requests=740000 -v days=365 -f generate.sql
--
-- Every fifth request serves up to three tips (positions 0..2), the rest one: 740 000 requests make about
-- 1 014 000 rows (the script prints the count).
-- Each request has a candidate pool (task-direct, LLM and fallback candidates) logged in features.pool as counts;
-- slot 0 is chosen ε-greedy (ε = 0.1) with its exact propensity. About 60 % of tips get feedback, a tenth of
-- those a second post, a few after the feedback window.
\set ON_ERROR_STOP on
\if :{?requests}
\else
  \set requests 740000
\endif
\if :{?days}
\else
  \set days 365
\endif

SET max_parallel_workers_per_gather = 0;
SELECT setseed(0.42);

TRUNCATE tip_feedback, tip_scores;

CREATE TEMP TABLE bench_requests AS
SELECT
  r,
  now() - (:days * interval '1 day') * (1 - r::double precision / :requests) - interval '1 minute' AS served_at,
  'user-' || (1 + floor(random() * 5000))::int AS user_id,
  floor(random() * 4)::int AS n_task_direct,
  CASE WHEN random() < 0.85 THEN 3 ELSE 0 END AS n_llm,
  (ARRAY['task', 'advice', 'insight', 'reminder'])[1 + floor(random() * 4)::int] AS llm_kind_1,
  (ARRAY['task', 'advice', 'insight', 'reminder'])[1 + floor(random() * 4)::int] AS llm_kind_2,
  (ARRAY['task', 'advice', 'insight', 'reminder'])[1 + floor(random() * 4)::int] AS llm_kind_3,
  (ARRAY['local-7b', 'local-14b', 'hosted-large'])[1 + floor(random() * 3)::int] AS llm_model,
  CASE WHEN r < :requests / 3 THEN 'tips-v1' WHEN r < 2 * :requests / 3 THEN 'tips-v2'
       ELSE (ARRAY['tips-v2', 'tips-v3'])[1 + floor(random() * 2)::int] END AS prompt_version,
  CASE WHEN r < :requests / 2 THEN 'egreedy-ridge-v1' ELSE 'egreedy-ridge-v2' END AS policy,
  random() AS u_explore,
  random() AS u_pick
FROM generate_series(1, :requests) AS r;

-- The pool as an ordered list of (kind, source): the greedy choice is the first, exploration picks uniformly.
CREATE TEMP TABLE bench_pools AS
SELECT
  q.*,
  array_length(q.kinds, 1) AS k,
  (SELECT jsonb_object_agg(v, n) FROM (SELECT v, count(*) AS n FROM unnest(q.kinds) v GROUP BY v) c) AS kind_counts,
  (SELECT jsonb_object_agg(v, n) FROM (SELECT v, count(*) AS n FROM unnest(q.sources) v GROUP BY v) c) AS source_counts
FROM (
  SELECT
    b.*,
    array_fill('task'::text, ARRAY[b.n_task_direct])
      || CASE WHEN b.n_llm > 0 THEN ARRAY[b.llm_kind_1, b.llm_kind_2, b.llm_kind_3] ELSE ARRAY[]::text[] END
      || CASE WHEN b.n_task_direct + b.n_llm = 0 THEN ARRAY['advice', 'insight'] ELSE ARRAY[]::text[] END AS kinds,
    array_fill('task_direct'::text, ARRAY[b.n_task_direct])
      || array_fill('llm'::text, ARRAY[b.n_llm])
      || CASE WHEN b.n_task_direct + b.n_llm = 0 THEN ARRAY['fallback', 'fallback'] ELSE ARRAY[]::text[] END AS sources
  FROM bench_requests b
) q;

INSERT INTO tip_scores (id, request_id, user_id, served_at, position, content, tip_kind, tip_source, task_id, rationale,
                        prompt_version, llm_model, policy, epsilon, explored, propensity, predicted_reward,
                        candidate_count, features)
SELECT
  gen_random_uuid(),
  md5('request' || p.r)::uuid,
  p.user_id,
  p.served_at,
  s.position,
  'Generated tip ' || p.r || '/' || s.position,
  p.kinds[s.pick],
  p.sources[s.pick],
  CASE WHEN p.sources[s.pick] = 'task_direct' THEN 'task-' || (p.r * 7 + s.pick) END,
  'generated',
  CASE WHEN p.sources[s.pick] = 'llm' THEN p.prompt_version END,
  CASE WHEN p.sources[s.pick] = 'llm' THEN p.llm_model END,
  p.policy,
  0.1,
  s.position = 0 AND p.u_explore < 0.1,
  CASE WHEN s.position = 0
       THEN CASE WHEN s.pick = 1 THEN 0.9 + 0.1 / p.k ELSE 0.1 / p.k END
       ELSE 0.9 + 0.1 / (p.k - s.position) END,
  round((0.2 + 0.3 * random())::numeric, 4)::double precision,
  p.k,
  -- As TipsRecommender logs it: the scored vector, the whole pool as counts by kind and source, the candidates left.
  jsonb_build_object(
    'x', jsonb_build_object(
      'bias', 1,
      'is_overdue', CASE WHEN p.sources[s.pick] = 'task_direct' AND random() < 0.4 THEN 1 ELSE 0 END,
      'priority', round(random()::numeric, 3)),
    'pool', jsonb_build_object('k', p.k, 'kinds', p.kind_counts, 'sources', p.source_counts),
    'remaining', p.k - s.position)
FROM bench_pools p
CROSS JOIN LATERAL (
  -- Slot 0: the greedy candidate (index 1), or a uniform one when exploring. Later slots take the next candidates
  -- in order (candidate_count and the pool counts stay those of the whole pool, as the recommender logs them).
  SELECT 0 AS position,
         CASE WHEN p.u_explore < 0.1 THEN 1 + floor(p.u_pick * p.k)::int ELSE 1 END AS pick
  UNION ALL
  SELECT g, 1 + g FROM generate_series(1, 2) g WHERE p.r % 5 = 0 AND g < p.k
) s
-- A slot-0 exploration pick other than 1 swaps with candidate 1 in the later slots' view; close enough for load.
ORDER BY p.served_at, s.position;

-- First feedback for about 60 % of tips; rewards per design.md "Rewards".
INSERT INTO tip_feedback (tip_id, user_id, action, dwell_ms, reward_milli, created_at)
SELECT f.id, f.user_id, f.action, f.dwell_ms,
  CASE f.action
    WHEN 'done' THEN CASE WHEN f.dwell_ms IS NULL THEN 600 WHEN f.dwell_ms < 15000 THEN -300
                          WHEN f.dwell_ms <= 120000 THEN 1000 WHEN f.dwell_ms <= 600000 THEN 600 ELSE 300 END
    WHEN 'snooze' THEN 100 WHEN 'dismiss' THEN -1000 WHEN 'helpful' THEN 500 ELSE -500 END,
  f.created_at
FROM (
  SELECT
    s.id, s.user_id,
    CASE
      WHEN s.a < 0.30 + CASE s.tip_kind WHEN 'task' THEN 0.10 ELSE 0 END THEN 'done'
      WHEN s.a < 0.55 THEN 'helpful'
      WHEN s.a < 0.68 THEN 'snooze'
      WHEN s.a < 0.85 + CASE WHEN s.prompt_version = 'tips-v1' THEN 0.05 ELSE 0 END THEN 'dismiss'
      ELSE 'not_helpful'
    END AS action,
    CASE WHEN random() < 0.8 THEN (1000 + random() * 900000)::bigint END AS dwell_ms,
    s.served_at + CASE WHEN random() < 0.05 THEN interval '30 hours' ELSE interval '1 second' END
                  + random() * interval '3 hours' AS created_at
  FROM (SELECT t.*, random() AS a, random() AS g FROM tip_scores t) s
  WHERE s.g < 0.60 - CASE s.tip_source WHEN 'fallback' THEN 0.15 ELSE 0 END
) f
WHERE f.created_at <= now();

-- A later second post on a tenth of them (never the same action twice: unique per tip and action).
INSERT INTO tip_feedback (tip_id, user_id, action, dwell_ms, reward_milli, created_at)
SELECT f.tip_id, f.user_id, CASE WHEN f.action = 'helpful' THEN 'done' ELSE 'helpful' END, NULL,
       CASE WHEN f.action = 'helpful' THEN 600 ELSE 500 END, f.created_at + interval '10 minutes'
FROM tip_feedback f
WHERE random() < 0.10 AND f.created_at + interval '10 minutes' <= now();

VACUUM (ANALYZE) tip_scores, tip_feedback;

SELECT (SELECT count(*) FROM tip_scores) AS tip_scores, (SELECT count(*) FROM tip_feedback) AS tip_feedback;
