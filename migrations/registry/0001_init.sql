-- Registry (in $AUTOCODER_HOME/registry.db), version 1: where each named project lives.
CREATE TABLE projects (
  name       TEXT PRIMARY KEY CHECK (name GLOB '[a-z0-9]*' AND length(name) BETWEEN 1 AND 64),
  path       TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);

CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
