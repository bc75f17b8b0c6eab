-- Estafette's first tables (SQLite). Times are Unix seconds (UTC).
-- Dovecot reads `accounts` as its passdb: keep `email`, `password_hash`, `state`.
CREATE TABLE accounts (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    email                TEXT    NOT NULL UNIQUE,
    password_hash        TEXT,
    role                 TEXT    NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    state                TEXT    NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'disabled')),
    must_change_password INTEGER NOT NULL DEFAULT 0,
    totp_secret          TEXT,
    totp_enabled         INTEGER NOT NULL DEFAULT 0,
    totp_last_step       INTEGER,
    created_at           INTEGER NOT NULL,
    last_sign_in_at      INTEGER
);

CREATE TABLE sessions (
    id_hash         TEXT    PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    stage           TEXT    NOT NULL CHECK (stage IN ('second_factor', 'enrol', 'full')),
    sealed_password TEXT,
    created_at      INTEGER NOT NULL,
    last_seen_at    INTEGER NOT NULL,
    client_address  TEXT,
    user_agent      TEXT
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE preferences (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    data       TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             INTEGER NOT NULL,
    actor          TEXT,
    action         TEXT    NOT NULL,
    target         TEXT,
    client_address TEXT,
    detail         TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
