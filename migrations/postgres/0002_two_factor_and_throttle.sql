-- Recovery codes (hashed, single use) and sign-in throttling shared by every instance.
CREATE TABLE recovery_codes (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash  TEXT   NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (account_id, code_hash)
);

CREATE TABLE throttle (
    key              TEXT   PRIMARY KEY,
    failures         BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    locked_until     BIGINT NOT NULL DEFAULT 0
);
