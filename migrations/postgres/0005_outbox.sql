-- The outbox: messages sent with a delay (undo send) or for later (scheduled
-- send), held here until due, then submitted by whichever instance claims
-- them first. The message is kept as the exact bytes to submit; the SMTP
-- password is sealed with the server's outbox key (see README, "Undo send
-- and scheduled send").
CREATE TABLE outbox (
    account_id   BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    send_key     TEXT   NOT NULL,
    due_at       BIGINT NOT NULL,
    -- 1: a send later the user chose; 0: the undo delay of a plain send.
    scheduled    BIGINT NOT NULL,
    subject      TEXT   NOT NULL,
    recipients   TEXT   NOT NULL,
    -- The SMTP envelope: sender, and recipients separated by spaces.
    mail_from    TEXT   NOT NULL,
    rcpt_to      TEXT   NOT NULL,
    message      BYTEA  NOT NULL,
    credential   TEXT   NOT NULL,
    -- Which outbox key sealed it: instances only claim what they can open.
    sealed_by    TEXT   NOT NULL,
    -- queued, sending (claimed by an instance) or failed (error says why).
    state        TEXT   NOT NULL DEFAULT 'queued',
    error        TEXT,
    claimed_at   BIGINT,
    PRIMARY KEY (account_id, send_key)
);
CREATE INDEX outbox_due ON outbox (state, due_at);
