-- PostgreSQL twin of migrations/project/0008_design.sql: design review iterations, their findings (`fingerprint`
-- unique) and sightings (one per finding, iteration and persona; '' for axe). As with checkpoints, the JSON columns
-- (personas, votes, axe, fix_feature_ids) stay text: SQLite does not check them and they are read whole.
-- `n` is given by the repository (no identity).
CREATE TABLE design_iterations (
  n                bigint PRIMARY KEY,
  run_id           text,
  trigger          text NOT NULL CHECK (trigger IN ('interval', 'end_of_run', 'manual')),
  commit_sha       text NOT NULL,
  status           text NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'aborted')),
  personas         text NOT NULL,
  started_at       bigint NOT NULL,
  ended_at         bigint,
  capture_dir      text NOT NULL,
  votes            text NOT NULL DEFAULT '[]',
  axe              text,
  fix_feature_ids  text NOT NULL DEFAULT '[]',
  outcome          text CHECK (outcome IN ('approved', 'changes_requested')),
  report_path      text,
  cost_usd         double precision NOT NULL DEFAULT 0,
  error            text
);

CREATE TABLE design_findings (
  rowid bigint GENERATED ALWAYS AS IDENTITY,  -- SQLite's implicit rowid made explicit: the repositories order ties by it
  id                text PRIMARY KEY,
  fingerprint       text NOT NULL UNIQUE,
  persona           text,
  source            text NOT NULL CHECK (source IN ('agent', 'tool')),
  severity          text NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'info')),
  category          text NOT NULL,
  title             text NOT NULL,
  detail            text NOT NULL,
  page              text NOT NULL,
  viewport          text NOT NULL CHECK (viewport IN ('desktop', 'mobile')),
  theme             text NOT NULL CHECK (theme IN ('light', 'dark')),
  screenshot        text NOT NULL,
  evidence          text,
  suggested_fix     text,
  expect            text,
  status            text NOT NULL CHECK (status IN ('open', 'fix_pending', 'resolved', 'dismissed')),
  first_iteration   bigint NOT NULL REFERENCES design_iterations (n),
  last_iteration    bigint NOT NULL REFERENCES design_iterations (n),
  seen_count        integer NOT NULL DEFAULT 1,
  fix_feature_id    bigint REFERENCES features (id) ON DELETE SET NULL,
  resolved_in       bigint REFERENCES design_iterations (n),
  dismissed_reason  text,
  created_at        bigint NOT NULL,
  updated_at        bigint NOT NULL
);
CREATE INDEX design_findings_status ON design_findings (status);
CREATE INDEX design_findings_fix_feature ON design_findings (fix_feature_id) WHERE fix_feature_id IS NOT NULL;

CREATE TABLE design_sightings (
  rowid bigint GENERATED ALWAYS AS IDENTITY,  -- SQLite's implicit rowid made explicit: the repositories order ties by it
  finding_id  text NOT NULL REFERENCES design_findings (id) ON DELETE CASCADE,
  iteration   bigint NOT NULL REFERENCES design_iterations (n),
  persona     text NOT NULL DEFAULT '',
  severity    text NOT NULL,
  screenshot  text NOT NULL,
  at          bigint NOT NULL,
  PRIMARY KEY (finding_id, iteration, persona)
);
CREATE INDEX design_sightings_iteration ON design_sightings (iteration);
