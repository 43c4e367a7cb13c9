-- PostgreSQL twin of migrations/project/0007_checkpoints.sql: checkpoints (reviews of main at one commit), their
-- findings (one row per problem, `fingerprint` unique) and each finding's sightings. The JSON columns of a checkpoint
-- (agents, facts, reviews, fix_feature_ids) stay text, as in SQLite, where they carry no json_valid CHECK: the
-- repository writes them with JSON.stringify and reads them whole, never with JSON functions.
-- `n` is given by the repository (no identity), as SQLite's INSERT names it.
CREATE TABLE checkpoints (
  n                bigint PRIMARY KEY,
  run_id           text,
  trigger          text NOT NULL CHECK (trigger IN ('interval', 'end_of_run', 'manual')),
  commit_sha       text NOT NULL,
  previous_commit  text,
  agents           text NOT NULL,
  status           text NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'aborted')),
  started_at       bigint NOT NULL,
  ended_at         bigint,
  passing          integer NOT NULL DEFAULT 0,
  cost_usd         double precision NOT NULL DEFAULT 0,
  facts            text NOT NULL DEFAULT '[]',
  reviews          text NOT NULL DEFAULT '[]',
  fix_feature_ids  text NOT NULL DEFAULT '[]',
  report_path      text,
  error            text
);

CREATE TABLE findings (
  rowid bigint GENERATED ALWAYS AS IDENTITY,  -- SQLite's implicit rowid made explicit: the repositories order ties by it
  id                text PRIMARY KEY,
  fingerprint       text NOT NULL UNIQUE,
  agent             text NOT NULL CHECK (agent IN ('code', 'security', 'performance')),
  source            text NOT NULL CHECK (source IN ('agent', 'tool')),
  severity          text NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'info')),
  category          text NOT NULL,
  title             text NOT NULL,
  detail            text NOT NULL,
  file              text,
  line              integer,
  evidence          text,
  suggested_fix     text,
  status            text NOT NULL CHECK (status IN ('open', 'fix_pending', 'resolved', 'dismissed')),
  first_checkpoint  bigint NOT NULL REFERENCES checkpoints (n),
  last_checkpoint   bigint NOT NULL REFERENCES checkpoints (n),
  seen_count        integer NOT NULL DEFAULT 1,
  fix_feature_id    bigint REFERENCES features (id) ON DELETE SET NULL,
  resolved_in       bigint REFERENCES checkpoints (n),
  dismissed_reason  text,
  created_at        bigint NOT NULL,
  updated_at        bigint NOT NULL
);
CREATE INDEX findings_status ON findings (status);
CREATE INDEX findings_fix_feature ON findings (fix_feature_id) WHERE fix_feature_id IS NOT NULL;

CREATE TABLE finding_sightings (
  finding_id  text NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
  checkpoint  bigint NOT NULL REFERENCES checkpoints (n),
  severity    text NOT NULL,
  at          bigint NOT NULL,
  PRIMARY KEY (finding_id, checkpoint)
);
CREATE INDEX finding_sightings_checkpoint ON finding_sightings (checkpoint);
