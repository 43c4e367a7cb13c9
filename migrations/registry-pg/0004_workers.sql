-- PostgreSQL twin of migrations/registry/0004_workers.sql: the processes working projects' runs, their heartbeats and
-- current features (JSON text, read whole, as in SQLite).
CREATE TABLE workers (
  name         text    PRIMARY KEY CHECK (char_length(name) BETWEEN 1 AND 100),
  host         text    NOT NULL,
  pid          integer NOT NULL,
  slots        integer NOT NULL CHECK (slots >= 1),
  started_at   bigint  NOT NULL,
  heartbeat_at bigint  NOT NULL,
  stopped_at   bigint,
  current      text    NOT NULL DEFAULT '[]'
);
