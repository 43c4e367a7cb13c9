-- PostgreSQL twin of migrations/registry/0002_project_settings.sql: per-project settings chosen by the user.
CREATE TABLE project_settings (
  project    text NOT NULL REFERENCES projects (name) ON DELETE CASCADE,
  key        text NOT NULL,
  value      text NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (project, key)
);
