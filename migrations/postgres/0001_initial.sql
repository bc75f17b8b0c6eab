-- Estafette's first tables (PostgreSQL). Times are Unix seconds (UTC).
-- Flags are BIGINT 0/1 so that both databases share one code path.
CREATE TABLE accounts (
    id                   BIGSERIAL PRIMARY KEY,
    email                TEXT   NOT NULL UNIQUE,
    password_hash        TEXT,
    role                 TEXT   NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    state                TEXT   NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'disabled')),
    must_change_password BIGINT NOT NULL DEFAULT 0,
    totp_secret          TEXT,
    totp_enabled         BIGINT NOT NULL DEFAULT 0,
    totp_last_step       BIGINT,
    created_at           BIGINT NOT NULL,
    last_sign_in_at      BIGINT
);

CREATE TABLE sessions (
    id_hash         TEXT   PRIMARY KEY,
    account_id      BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    stage           TEXT   NOT NULL CHECK (stage IN ('second_factor', 'enrol', 'full')),
    sealed_password TEXT,
    created_at      BIGINT NOT NULL,
    last_seen_at    BIGINT NOT NULL,
    client_address  TEXT,
    user_agent      TEXT
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE preferences (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    data       TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE audit_log (
    id             BIGSERIAL PRIMARY KEY,
    at             BIGINT NOT NULL,
    actor          TEXT,
    action         TEXT   NOT NULL,
    target         TEXT,
    client_address TEXT,
    detail         TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
