-- Registry version 4: the processes working projects' runs (#20). A run on a shared PostgreSQL registers the process
-- that works it here, with a heartbeat of its own every few seconds and the features it works on now (JSON text:
-- [{"project","featureId","slot"}], read whole). A worker whose heartbeat is older than the offline limit is shown
-- offline (src/domain/workers.ts); one that stopped cleanly has `stopped_at`. A name is taken over only from a worker
-- that is offline or stopped.
CREATE TABLE workers (
  name         TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 100),
  host         TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  slots        INTEGER NOT NULL CHECK (slots >= 1),
  started_at   INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  stopped_at   INTEGER,
  current      TEXT NOT NULL DEFAULT '[]'
);
