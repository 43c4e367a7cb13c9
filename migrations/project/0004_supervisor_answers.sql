-- Supervisor mode: a supervisor session answers requests itself. It gives a reason per answered
-- field (`reasons`: field id → why), and secret fields get development placeholders
-- (`placeholder_keys`: the .env keys holding one). A human may override a supervisor's answer:
-- the new answer is a request row of its own (`overrides` = the supervisor's request) and the
-- supervisor's row points to it (`overridden_by`), so both stay listed.
ALTER TABLE human_input_requests ADD COLUMN reasons TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(reasons));
ALTER TABLE human_input_requests ADD COLUMN placeholder_keys TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(placeholder_keys));
ALTER TABLE human_input_requests ADD COLUMN overrides TEXT;
ALTER TABLE human_input_requests ADD COLUMN overridden_by TEXT;
