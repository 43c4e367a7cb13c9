-- PostgreSQL twin of migrations/project/0002_landing_commit.sql: the commit the merge queue is landing for a feature
-- (written just before main moves, cleared when the feature is recorded as passing).
ALTER TABLE features ADD COLUMN landing_commit text;
