-- PostgreSQL twin of migrations/project/0010_run_outcome.sql: how each run ended (outcome, the backlog then, what its
-- sessions cost), with the same backfill for runs that ended before. SQLite's LIKE ignores ASCII case; ILIKE does
-- here, so the backfill reads the same end reasons the same way.
ALTER TABLE runs ADD COLUMN outcome text
  CHECK (outcome IS NULL OR outcome IN ('finished', 'failed', 'stopped', 'budget', 'input', 'no_features', 'crashed'));
ALTER TABLE runs ADD COLUMN features_passing integer;
ALTER TABLE runs ADD COLUMN features_total integer;
ALTER TABLE runs ADD COLUMN cost_usd double precision;

UPDATE runs SET outcome = CASE
    WHEN status = 'crashed' THEN 'crashed'
    WHEN status = 'failed' AND end_reason ILIKE '%without creating any features%' THEN 'no_features'
    WHEN status = 'failed' THEN 'failed'
    WHEN status = 'finished' AND end_reason ILIKE 'All % features pass.' THEN 'finished'
    WHEN status = 'finished' AND end_reason ILIKE 'Stopped%' THEN 'stopped'
  END,
  cost_usd = (SELECT COALESCE(SUM(cost_usd), 0) FROM sessions WHERE sessions.run_id = runs.id)
  WHERE ended_at IS NOT NULL;
