-- How each run ended, for people (issue #21; src/domain/run-outcome.ts): the outcome (finished, failed, stopped,
-- budget, input, no_features, crashed), the backlog when it ended (features passing of total) and what its sessions
-- cost. Written with the run's status, ended_at and end_reason in one transaction (RunRepo.end), so a reload shows the
-- same ending. Runs that ended before this migration keep NULL where their ending cannot be told from what was stored:
-- a failed or crashed run says so, and one that ended with every feature passing said "All N features pass.".
ALTER TABLE runs ADD COLUMN outcome TEXT
  CHECK (outcome IS NULL OR outcome IN ('finished', 'failed', 'stopped', 'budget', 'input', 'no_features', 'crashed'));
ALTER TABLE runs ADD COLUMN features_passing INTEGER;
ALTER TABLE runs ADD COLUMN features_total INTEGER;
ALTER TABLE runs ADD COLUMN cost_usd REAL;

UPDATE runs SET outcome = CASE
    WHEN status = 'crashed' THEN 'crashed'
    WHEN status = 'failed' AND end_reason LIKE '%without creating any features%' THEN 'no_features'
    WHEN status = 'failed' THEN 'failed'
    WHEN status = 'finished' AND end_reason LIKE 'All % features pass.' THEN 'finished'
    WHEN status = 'finished' AND end_reason LIKE 'Stopped%' THEN 'stopped'
  END,
  cost_usd = (SELECT COALESCE(SUM(cost_usd), 0) FROM sessions WHERE sessions.run_id = runs.id)
  WHERE ended_at IS NOT NULL;
