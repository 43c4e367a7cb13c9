-- Registry version 2: per-project settings chosen by the user (e.g. allowlist extensions).
-- They live here, in $AUTOCODER_HOME, never inside the project where an agent could edit them.
CREATE TABLE project_settings (
  project    TEXT NOT NULL REFERENCES projects (name) ON DELETE CASCADE,
  key        TEXT NOT NULL,
  value      TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (project, key)
) WITHOUT ROWID;
