-- PostgreSQL twin of migrations/registry/0001_init.sql (issue #20): where each named project lives, and global
-- settings. Applied with search_path set to the registry's schema. SQLite's `name GLOB '[a-z0-9]*'` (the first
-- character is a lowercase letter or a digit, case-sensitively) is the regular expression `^[a-z0-9]` here.
CREATE TABLE projects (
  name       text PRIMARY KEY CHECK (name ~ '^[a-z0-9]' AND char_length(name) BETWEEN 1 AND 64),
  path       text NOT NULL UNIQUE,
  created_at bigint NOT NULL
);

CREATE TABLE settings (
  key        text PRIMARY KEY,
  value      text NOT NULL,
  updated_at bigint NOT NULL
);
