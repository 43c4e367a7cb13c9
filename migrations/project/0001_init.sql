-- Project database, version 1: the feature backlog, its dependency graph, runs, sessions and
-- the append-only event log the UI tails. Times are integer milliseconds since the epoch.

CREATE TABLE features (
  id                    INTEGER PRIMARY KEY,
  priority              INTEGER NOT NULL DEFAULT 0,          -- lower runs sooner
  category              TEXT    NOT NULL CHECK (length(category) BETWEEN 1 AND 100),
  name                  TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
  description           TEXT    NOT NULL,
  steps                 TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(steps)),
  status                TEXT    NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'in_progress', 'needs_input', 'passing', 'failed')),
  attempts              INTEGER NOT NULL DEFAULT 0,
  max_attempts          INTEGER NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
  run_after             INTEGER NOT NULL DEFAULT 0,          -- backoff gate
  unblocks              INTEGER NOT NULL DEFAULT 0,          -- distinct transitive dependents (scheduling)
  skip_count            INTEGER NOT NULL DEFAULT 0,
  blocker_type          TEXT CHECK (blocker_type IN ('dependency', 'credentials', 'external_service', 'unclear_spec', 'technical', 'other')),
  blocker_note          TEXT,
  blocked_since         INTEGER,
  claim_token           TEXT,
  claim_epoch           INTEGER NOT NULL DEFAULT 0,          -- fencing counter, +1 per claim
  claimed_by            TEXT,
  lease_expires_at      INTEGER,
  heartbeat_at          INTEGER,
  branch                TEXT,
  verify                TEXT,
  evidence              TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(evidence)),
  notes                 TEXT NOT NULL DEFAULT '',
  input_tokens          INTEGER NOT NULL DEFAULT 0,
  output_tokens         INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens     INTEGER NOT NULL DEFAULT 0,
  cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd              REAL    NOT NULL DEFAULT 0,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL,
  started_at            INTEGER,
  passed_at             INTEGER,
  last_verified_at      INTEGER,
  UNIQUE (category, name),
  CHECK ((status = 'in_progress') = (claim_token IS NOT NULL))
);

CREATE INDEX features_ready ON features (priority, unblocks DESC, id) WHERE status = 'pending';
CREATE INDEX features_leases ON features (lease_expires_at) WHERE status = 'in_progress';
CREATE INDEX features_status ON features (status);

CREATE TABLE feature_dependencies (
  feature_id INTEGER NOT NULL REFERENCES features (id) ON DELETE CASCADE,
  depends_on INTEGER NOT NULL REFERENCES features (id) ON DELETE CASCADE,
  PRIMARY KEY (feature_id, depends_on),
  CHECK (feature_id <> depends_on)
) WITHOUT ROWID;

CREATE INDEX feature_dependencies_reverse ON feature_dependencies (depends_on, feature_id);

CREATE TABLE runs (
  id           TEXT PRIMARY KEY,
  pid          INTEGER,
  host         TEXT,
  incarnation  TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('starting', 'running', 'draining', 'paused', 'stopping', 'finished', 'failed', 'crashed')),
  settings     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),
  started_at   INTEGER NOT NULL,
  heartbeat_at INTEGER,
  ended_at     INTEGER,
  end_reason   TEXT
);

CREATE TABLE sessions (
  id                    TEXT PRIMARY KEY,
  run_id                TEXT REFERENCES runs (id) ON DELETE SET NULL,
  slot                  INTEGER,
  role                  TEXT NOT NULL,
  feature_ids           TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(feature_ids)),
  model                 TEXT,
  status                TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'aborted')),
  outcome               TEXT,
  started_at            INTEGER NOT NULL,
  ended_at              INTEGER,
  turns                 INTEGER NOT NULL DEFAULT 0,
  input_tokens          INTEGER NOT NULL DEFAULT 0,
  output_tokens         INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens     INTEGER NOT NULL DEFAULT 0,
  cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd              REAL    NOT NULL DEFAULT 0,
  transcript_path       TEXT,
  error                 TEXT
);

CREATE INDEX sessions_run ON sessions (run_id);

CREATE TABLE events (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  at         INTEGER NOT NULL,
  type       TEXT    NOT NULL,
  run_id     TEXT,
  session_id TEXT,
  feature_id INTEGER,
  slot       INTEGER,
  payload    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload))
);

CREATE INDEX events_feature ON events (feature_id, id);
