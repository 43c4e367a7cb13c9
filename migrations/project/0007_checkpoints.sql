-- Checkpoints (issue #17): a review of main at one commit, its tool results and reviewer sessions as JSON (they are
-- read whole), and findings as rows (they are queried, reconciled and linked). A finding is one problem whatever the
-- checkpoint that saw it: `fingerprint` is unique; each sighting is a row of finding_sightings (its history).
CREATE TABLE checkpoints (
  n                INTEGER PRIMARY KEY,
  run_id           TEXT,
  trigger          TEXT NOT NULL CHECK (trigger IN ('interval', 'end_of_run', 'manual')),
  commit_sha       TEXT NOT NULL,
  previous_commit  TEXT,
  agents           TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'aborted')),
  started_at       INTEGER NOT NULL,
  ended_at         INTEGER,
  passing          INTEGER NOT NULL DEFAULT 0,
  cost_usd         REAL NOT NULL DEFAULT 0,
  facts            TEXT NOT NULL DEFAULT '[]',
  reviews          TEXT NOT NULL DEFAULT '[]',
  fix_feature_ids  TEXT NOT NULL DEFAULT '[]',
  report_path      TEXT,
  error            TEXT
);

CREATE TABLE findings (
  id                TEXT PRIMARY KEY,
  fingerprint       TEXT NOT NULL UNIQUE,
  agent             TEXT NOT NULL CHECK (agent IN ('code', 'security', 'performance')),
  source            TEXT NOT NULL CHECK (source IN ('agent', 'tool')),
  severity          TEXT NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'info')),
  category          TEXT NOT NULL,
  title             TEXT NOT NULL,
  detail            TEXT NOT NULL,
  file              TEXT,
  line              INTEGER,
  evidence          TEXT,
  suggested_fix     TEXT,
  status            TEXT NOT NULL CHECK (status IN ('open', 'fix_pending', 'resolved', 'dismissed')),
  first_checkpoint  INTEGER NOT NULL REFERENCES checkpoints (n),
  last_checkpoint   INTEGER NOT NULL REFERENCES checkpoints (n),
  seen_count        INTEGER NOT NULL DEFAULT 1,
  fix_feature_id    INTEGER REFERENCES features (id) ON DELETE SET NULL,
  resolved_in       INTEGER REFERENCES checkpoints (n),
  dismissed_reason  TEXT,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL
);
CREATE INDEX findings_status ON findings (status);
CREATE INDEX findings_fix_feature ON findings (fix_feature_id) WHERE fix_feature_id IS NOT NULL;

CREATE TABLE finding_sightings (
  finding_id  TEXT NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
  checkpoint  INTEGER NOT NULL REFERENCES checkpoints (n),
  severity    TEXT NOT NULL,
  at          INTEGER NOT NULL,
  PRIMARY KEY (finding_id, checkpoint)
);
CREATE INDEX finding_sightings_checkpoint ON finding_sightings (checkpoint);
