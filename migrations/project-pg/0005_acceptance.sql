-- PostgreSQL twin of migrations/project/0005_acceptance.sql: a feature's frozen acceptance checks and their hash, the
-- verification that landed it, disputes of checks, and the runs of the checks on one commit.
ALTER TABLE features ADD COLUMN acceptance jsonb;
ALTER TABLE features ADD COLUMN acceptance_hash text;
ALTER TABLE features ADD COLUMN verification_id text;

CREATE TABLE acceptance_disputes (
  rowid bigint GENERATED ALWAYS AS IDENTITY,  -- SQLite's implicit rowid made explicit: the repositories order ties by it
  id              text PRIMARY KEY,
  feature_id      bigint NOT NULL REFERENCES features (id) ON DELETE CASCADE,
  session_id      text,
  request_id      text,
  reason          text NOT NULL,
  proposed        jsonb NOT NULL,
  previous        jsonb,
  status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected')),
  decided_by      text CHECK (decided_by IN ('human', 'supervisor')),
  decision_reason text,
  hash_before     text,
  hash_after      text,
  created_at      bigint NOT NULL,
  decided_at      bigint,
  CHECK ((status = 'open') = (decided_at IS NULL))
);

CREATE INDEX acceptance_disputes_open ON acceptance_disputes (status, created_at);
CREATE INDEX acceptance_disputes_feature ON acceptance_disputes (feature_id, created_at);
CREATE UNIQUE INDEX acceptance_disputes_request ON acceptance_disputes (request_id) WHERE request_id IS NOT NULL;

CREATE TABLE verifications (
  rowid bigint GENERATED ALWAYS AS IDENTITY,  -- SQLite's implicit rowid made explicit: the repositories order ties by it
  id           text PRIMARY KEY,
  feature_id   bigint NOT NULL REFERENCES features (id) ON DELETE CASCADE,
  commit_sha   text NOT NULL,
  trigger      text NOT NULL CHECK (trigger IN ('landing', 'regression', 'manual')),
  status       text NOT NULL CHECK (status IN ('running', 'passed', 'failed', 'error')),
  session_id   text,
  started_at   bigint NOT NULL,
  ended_at     bigint,
  evidence_dir text NOT NULL,
  -- json, not jsonb: each check's result carries the output of the program it ran, which may hold \u0000 (refused
  -- by jsonb); the column is read and written whole.
  checks       json NOT NULL DEFAULT '[]',
  error        text,
  CHECK ((status = 'running') = (ended_at IS NULL))
);

CREATE INDEX verifications_feature ON verifications (feature_id, started_at DESC);
