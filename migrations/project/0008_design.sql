-- Design review (issue #18): numbered iterations, each a capture of the app at one commit of main judged by persona
-- sessions. Votes and axe counts are JSON (read whole); findings are rows (queried, reconciled, linked) kept apart
-- from the checkpoints' findings: they are found on pages and viewports, not in files. A design finding is one
-- problem whatever the iteration or persona that saw it: `fingerprint` is unique; each sighting is a row.
CREATE TABLE design_iterations (
  n                INTEGER PRIMARY KEY,
  run_id           TEXT,
  trigger          TEXT NOT NULL CHECK (trigger IN ('interval', 'end_of_run', 'manual')),
  commit_sha       TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'aborted')),
  personas         TEXT NOT NULL,
  started_at       INTEGER NOT NULL,
  ended_at         INTEGER,
  capture_dir      TEXT NOT NULL,
  votes            TEXT NOT NULL DEFAULT '[]',
  axe              TEXT,
  fix_feature_ids  TEXT NOT NULL DEFAULT '[]',
  outcome          TEXT CHECK (outcome IN ('approved', 'changes_requested')),
  report_path      TEXT,
  cost_usd         REAL NOT NULL DEFAULT 0,
  error            TEXT
);

CREATE TABLE design_findings (
  id                TEXT PRIMARY KEY,
  fingerprint       TEXT NOT NULL UNIQUE,
  persona           TEXT,
  source            TEXT NOT NULL CHECK (source IN ('agent', 'tool')),
  severity          TEXT NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'info')),
  category          TEXT NOT NULL,
  title             TEXT NOT NULL,
  detail            TEXT NOT NULL,
  page              TEXT NOT NULL,
  viewport          TEXT NOT NULL CHECK (viewport IN ('desktop', 'mobile')),
  theme             TEXT NOT NULL CHECK (theme IN ('light', 'dark')),
  screenshot        TEXT NOT NULL,
  evidence          TEXT,
  suggested_fix     TEXT,
  expect            TEXT,
  status            TEXT NOT NULL CHECK (status IN ('open', 'fix_pending', 'resolved', 'dismissed')),
  first_iteration   INTEGER NOT NULL REFERENCES design_iterations (n),
  last_iteration    INTEGER NOT NULL REFERENCES design_iterations (n),
  seen_count        INTEGER NOT NULL DEFAULT 1,
  fix_feature_id    INTEGER REFERENCES features (id) ON DELETE SET NULL,
  resolved_in       INTEGER REFERENCES design_iterations (n),
  dismissed_reason  TEXT,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL
);
CREATE INDEX design_findings_status ON design_findings (status);
CREATE INDEX design_findings_fix_feature ON design_findings (fix_feature_id) WHERE fix_feature_id IS NOT NULL;

-- One row per finding, iteration and persona (NULL persona: axe); a persona reporting it twice in one iteration is
-- one sighting, two personas are two.
CREATE TABLE design_sightings (
  finding_id  TEXT NOT NULL REFERENCES design_findings (id) ON DELETE CASCADE,
  iteration   INTEGER NOT NULL REFERENCES design_iterations (n),
  persona     TEXT NOT NULL DEFAULT '',
  severity    TEXT NOT NULL,
  screenshot  TEXT NOT NULL,
  at          INTEGER NOT NULL,
  PRIMARY KEY (finding_id, iteration, persona)
);
CREATE INDEX design_sightings_iteration ON design_sightings (iteration);
