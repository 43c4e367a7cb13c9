-- PostgreSQL twin of migrations/project/0009_duration_estimates.sql: the runner's duration estimate of each feature
-- and the longest estimated path to the end of its dependents (both milliseconds, 0 until a run writes them); claims
-- order by the path after priority.
ALTER TABLE features ADD COLUMN estimate_ms bigint NOT NULL DEFAULT 0;
ALTER TABLE features ADD COLUMN path_ms bigint NOT NULL DEFAULT 0;

DROP INDEX features_ready;
CREATE INDEX features_ready ON features (priority, path_ms DESC, unblocks DESC, id) WHERE status = 'pending';
