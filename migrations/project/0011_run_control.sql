-- What a person asked a shared run to do from any machine (issue #20): 'pause' (drain, then idle) or 'stop'. The run's
-- owner reads it with its state, as it reads the pause file in its folder on one machine; resuming clears it.
ALTER TABLE runs ADD COLUMN control TEXT CHECK (control IS NULL OR control IN ('pause', 'stop'));
