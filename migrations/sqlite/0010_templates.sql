-- Reply templates: texts a user saves under a name and inserts while
-- writing; `{name}` and `{first_name}` stand for the first recipient's.
-- Names are unique per account, compared as `name_key` (lowercased).
CREATE TABLE templates (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX templates_account_name ON templates (account_id, name_key);
