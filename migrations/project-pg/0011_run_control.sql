-- PostgreSQL twin of migrations/project/0011_run_control.sql: a pause or stop asked of a shared run from any machine.
ALTER TABLE runs ADD COLUMN control text CHECK (control IS NULL OR control IN ('pause', 'stop'));
