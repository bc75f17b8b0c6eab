-- Identities: the names and addresses a user sends as, each with its
-- signature; one is the default. Without any, the account's own address is
-- the only identity.
CREATE TABLE identities (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL,
    signature  TEXT NOT NULL,
    is_default INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX identities_account ON identities (account_id);
