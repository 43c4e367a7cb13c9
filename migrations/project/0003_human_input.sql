-- Human input gates: an agent asks a person for values (credentials, decisions) and its feature
-- waits in `needs_input` until the request is answered or cancelled. `answer` holds the
-- non-secret values only; secret values go to the project's .env and only their key names are
-- kept here (`secret_keys`: field id → env key).
CREATE TABLE human_input_requests (
  id          TEXT PRIMARY KEY,
  feature_id  INTEGER NOT NULL REFERENCES features (id) ON DELETE CASCADE,
  session_id  TEXT,
  kind        TEXT NOT NULL CHECK (kind IN ('fields', 'questions')),
  prompt      TEXT NOT NULL,
  fields      TEXT NOT NULL CHECK (json_valid(fields)),
  status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'cancelled')),
  answered_by TEXT CHECK (answered_by IN ('human', 'supervisor')),
  answer      TEXT CHECK (answer IS NULL OR json_valid(answer)),
  secret_keys TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(secret_keys)),
  reason      TEXT,
  created_at  INTEGER NOT NULL,
  answered_at INTEGER
);

CREATE INDEX human_input_open ON human_input_requests (status, created_at);
CREATE INDEX human_input_feature ON human_input_requests (feature_id, created_at);
