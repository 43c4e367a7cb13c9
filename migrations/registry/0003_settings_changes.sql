-- Registry version 3: settings changes that widened what agents may do (a program added to a
-- project's allowlist, the sandbox turned off, a model base URL set, YOLO turned on), with
-- where each came from. Append-only. `project` is NULL for a global setting; it has no foreign
-- key so the record outlives a removed project. Values are JSON (NULL: unset).
CREATE TABLE settings_changes (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  at        INTEGER NOT NULL,
  project   TEXT,
  key       TEXT NOT NULL,
  old_value TEXT,
  new_value TEXT,
  origin    TEXT NOT NULL CHECK (origin IN ('cli', 'api', 'ui'))
);

CREATE INDEX settings_changes_by_project ON settings_changes (project, id);
