-- PostgreSQL twin of migrations/project/0004_supervisor_answers.sql: a supervisor's reasons per field, the .env keys
-- holding development placeholders, and the links between a supervisor's answer and a human's override of it.
ALTER TABLE human_input_requests ADD COLUMN reasons jsonb NOT NULL DEFAULT '{}';
ALTER TABLE human_input_requests ADD COLUMN placeholder_keys jsonb NOT NULL DEFAULT '[]';
ALTER TABLE human_input_requests ADD COLUMN overrides text;
ALTER TABLE human_input_requests ADD COLUMN overridden_by text;
