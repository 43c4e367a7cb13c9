-- PostgreSQL twin of migrations/project/0003_human_input.sql: human input gates. `answer` holds the non-secret values
-- only; `secret_keys` maps field id → the .env key that holds a secret value.
CREATE TABLE human_input_requests (
  id          text PRIMARY KEY,
  feature_id  bigint NOT NULL REFERENCES features (id) ON DELETE CASCADE,
  session_id  text,
  kind        text NOT NULL CHECK (kind IN ('fields', 'questions')),
  prompt      text NOT NULL,
  fields      jsonb NOT NULL,
  status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'cancelled')),
  answered_by text CHECK (answered_by IN ('human', 'supervisor')),
  answer      jsonb,
  secret_keys jsonb NOT NULL DEFAULT '{}',
  reason      text,
  created_at  bigint NOT NULL,
  answered_at bigint
);

CREATE INDEX human_input_open ON human_input_requests (status, created_at);
CREATE INDEX human_input_feature ON human_input_requests (feature_id, created_at);
