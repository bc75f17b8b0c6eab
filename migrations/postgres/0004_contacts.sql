-- Addresses an account wrote to or read from, for address completion.
CREATE TABLE contacts (
    account_id   BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    address      TEXT NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    uses         BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, address)
);
