-- PostgreSQL twin of migrations/project/0006_budget_reservations.sql: holds a session takes from what is left of its
-- run's, the day's and its feature's budget before it starts; settled with the session's real cost.
CREATE TABLE budget_reservations (
  id          text PRIMARY KEY,
  run_id      text,
  feature_id  bigint REFERENCES features (id) ON DELETE SET NULL,
  role        text NOT NULL,
  amount_usd  double precision NOT NULL CHECK (amount_usd >= 0),
  created_at  bigint NOT NULL,
  settled_at  bigint,
  cost_usd    double precision,
  CHECK ((settled_at IS NULL) = (cost_usd IS NULL))
);
CREATE INDEX budget_reservations_open ON budget_reservations (run_id) WHERE settled_at IS NULL;
