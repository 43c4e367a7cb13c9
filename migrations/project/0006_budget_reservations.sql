-- Budgets (issue #19): before a session starts it reserves from what is left of its run's, the day's and its
-- feature's budget, in the same transaction as the check, so two slots cannot both take the last dollars. The SDK's
-- per-session limit is set to the reservation. When the session ends its real cost is in sessions.cost_usd (and
-- features.cost_usd), and the reservation is settled: only open reservations count beside recorded costs.
CREATE TABLE budget_reservations (
  id          TEXT PRIMARY KEY,
  run_id      TEXT,
  feature_id  INTEGER REFERENCES features (id) ON DELETE SET NULL,
  role        TEXT NOT NULL,
  amount_usd  REAL NOT NULL CHECK (amount_usd >= 0),
  created_at  INTEGER NOT NULL,
  settled_at  INTEGER,
  cost_usd    REAL,
  CHECK ((settled_at IS NULL) = (cost_usd IS NULL))
);
CREATE INDEX budget_reservations_open ON budget_reservations (run_id) WHERE settled_at IS NULL;
