-- Storage settings for the hot path's two busiest tables (docs/performance.md).

-- A model row (its d×d matrix, 1.8 KB at d = 15) is just over the default 2 KB toast threshold: every update
-- compressed the matrix and every read decompressed it. Kept inline and uncompressed below 4 KB, it is read and
-- written as it is; a page still holds several rows.
ALTER TABLE bandit_models SET (toast_tuple_target = 4080);

-- ANALYZE of tip_scores sorted a sample of whole features documents to build statistics nobody plans with: 4 % of
-- the machine under load. The analytics views only take values out of the document, which these statistics never
-- estimated; only a filter on the whole document (such as features @> '…') now gets the planner's default estimate.
ALTER TABLE tip_scores ALTER COLUMN features SET STATISTICS 0;
