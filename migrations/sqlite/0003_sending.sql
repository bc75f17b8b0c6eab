-- Sending: each send key is claimed once per account, so that a double click
-- or a retried request never sends a message twice.
CREATE TABLE sends (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    send_key   TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    PRIMARY KEY (account_id, send_key)
);
