-- Durations from history (issue #23): the runner estimates how long each unfinished feature will hold a slot
-- (estimate_ms, from the project's finished sessions; src/domain/duration-estimate.ts) and the longest estimated path
-- from each feature to the end of its dependents (path_ms; src/domain/estimated-path.ts). Claims order by the path
-- after priority: the work that holds up the end of the backlog longest starts first. Both are 0 until a run writes
-- them, so a project no run has estimated keeps the old order (priority, unblocks, id).
ALTER TABLE features ADD COLUMN estimate_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE features ADD COLUMN path_ms INTEGER NOT NULL DEFAULT 0;

DROP INDEX features_ready;
CREATE INDEX features_ready ON features (priority, path_ms DESC, unblocks DESC, id) WHERE status = 'pending';
