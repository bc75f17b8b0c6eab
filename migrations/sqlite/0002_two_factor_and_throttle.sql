-- Recovery codes (hashed, single use) and sign-in throttling shared by every instance.
CREATE TABLE recovery_codes (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash  TEXT    NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (account_id, code_hash)
);

CREATE TABLE throttle (
    key              TEXT    PRIMARY KEY,
    failures         INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL,
    locked_until     INTEGER NOT NULL DEFAULT 0
);
