-- Attempts are reserved before they are judged: `refused` says whether the
-- last reservation met a lock; the refusals of one lock are counted here
-- and in one audit row (`refused_audit_id`, whose `repeats` follows the count).
ALTER TABLE throttle ADD COLUMN refused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE throttle ADD COLUMN refused_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE throttle ADD COLUMN refused_audit_id INTEGER;
ALTER TABLE audit_log ADD COLUMN repeats INTEGER NOT NULL DEFAULT 0;
-- Completion offers the addresses the account wrote to, not those it only read from.
ALTER TABLE contacts ADD COLUMN written INTEGER NOT NULL DEFAULT 0;
