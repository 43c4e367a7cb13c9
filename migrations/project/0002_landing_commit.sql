-- The commit the merge queue is landing for a feature: written just before main is
-- fast-forwarded to it, cleared when the feature is recorded as passing. A runner that dies in
-- between leaves it set; the next run sees main already contains it and records the pass.
ALTER TABLE features ADD COLUMN landing_commit TEXT;
