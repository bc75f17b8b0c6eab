-- Outbound rate limit per account, shared by every instance: one row per
-- account counts the messages of its current hour window and the recipients
-- of its current day window. A window begins with the first message sent
-- after the previous one ended (see store/src/sending_limit.rs). A send is
-- reserved by one statement; `refused` says whether the last reservation
-- was refused. The refusals of one limited period (`limited_since` until
-- `limited_until`) are counted here and in one audit row
-- (`refused_audit_id`, whose `repeats` follows the count).
CREATE TABLE send_quota (
    account_id       INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    hour_start       INTEGER NOT NULL,
    messages         INTEGER NOT NULL,
    day_start        INTEGER NOT NULL,
    recipients       INTEGER NOT NULL,
    refused          INTEGER NOT NULL DEFAULT 0,
    limited_since    INTEGER NOT NULL DEFAULT 0,
    limited_until    INTEGER NOT NULL DEFAULT 0,
    refused_count    INTEGER NOT NULL DEFAULT 0,
    refused_audit_id INTEGER
);
-- What a send key's message was counted in (its windows' starts and its
-- recipients), so that a message that did not go out gives it back once.
ALTER TABLE sends ADD COLUMN quota_hour_start INTEGER;
ALTER TABLE sends ADD COLUMN quota_day_start INTEGER;
ALTER TABLE sends ADD COLUMN quota_recipients INTEGER;
