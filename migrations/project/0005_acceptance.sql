-- Acceptance checks (issue #16): what must hold for a feature to be done, written when it is
-- planned, frozen with a content hash (sha256 of the checks' canonical JSON) and run by the
-- runner on the exact commit that lands. A feature without checks (made by a person, or by an
-- older autocoder) has NULL in both and is "not verified".
ALTER TABLE features ADD COLUMN acceptance TEXT CHECK (acceptance IS NULL OR json_valid(acceptance));
ALTER TABLE features ADD COLUMN acceptance_hash TEXT;
-- The verification that landed a passing feature (set with the pass, cleared when it leaves passing).
ALTER TABLE features ADD COLUMN verification_id TEXT;

-- An agent that believes a check is wrong disputes it: the feature waits in needs_input for a
-- decision, asked through a human-input request (`request_id`), so the Inbox, the supervisor and
-- the run's waiting treat it like any question. Accepting replaces the checks with the proposed
-- ones; rejecting keeps them. `previous` and both hashes keep the history.
CREATE TABLE acceptance_disputes (
  id              TEXT PRIMARY KEY,
  feature_id      INTEGER NOT NULL REFERENCES features (id) ON DELETE CASCADE,
  session_id      TEXT,
  request_id      TEXT,
  reason          TEXT NOT NULL,
  proposed        TEXT NOT NULL CHECK (json_valid(proposed)),
  previous        TEXT CHECK (previous IS NULL OR json_valid(previous)),
  status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected')),
  decided_by      TEXT CHECK (decided_by IN ('human', 'supervisor')),
  decision_reason TEXT,
  hash_before     TEXT,
  hash_after      TEXT,
  created_at      INTEGER NOT NULL,
  decided_at      INTEGER,
  CHECK ((status = 'open') = (decided_at IS NULL))
);

CREATE INDEX acceptance_disputes_open ON acceptance_disputes (status, created_at);
CREATE INDEX acceptance_disputes_feature ON acceptance_disputes (feature_id, created_at);
CREATE UNIQUE INDEX acceptance_disputes_request ON acceptance_disputes (request_id) WHERE request_id IS NOT NULL;

-- Runs of a feature's frozen checks on one commit (the landing gate, `autocoder verify`, the
-- runner's regression pass). `checks` holds every check's result (src/shared/acceptance.ts
-- CheckResult); the evidence files live in `evidence_dir`, relative to the project.
CREATE TABLE verifications (
  id           TEXT PRIMARY KEY,
  feature_id   INTEGER NOT NULL REFERENCES features (id) ON DELETE CASCADE,
  commit_sha   TEXT NOT NULL,
  trigger      TEXT NOT NULL CHECK (trigger IN ('landing', 'regression', 'manual')),
  status       TEXT NOT NULL CHECK (status IN ('running', 'passed', 'failed', 'error')),
  session_id   TEXT,
  started_at   INTEGER NOT NULL,
  ended_at     INTEGER,
  evidence_dir TEXT NOT NULL,
  checks       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(checks)),
  error        TEXT,
  CHECK ((status = 'running') = (ended_at IS NULL))
);

CREATE INDEX verifications_feature ON verifications (feature_id, started_at DESC);
