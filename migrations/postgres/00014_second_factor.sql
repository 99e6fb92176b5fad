-- +goose Up
-- A member's TOTP (RFC 6238) authenticator. The secret is sealed with the
-- instance secrets. confirmed_at is NULL while the enrolment waits for
-- its first code. last_step is the time step of the last code accepted:
-- a code is accepted only for a later step, by a conditional update, so
-- that each code passes once even when submitted twice at once.
CREATE TABLE member_totp (
    member_id     TEXT PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
    secret_sealed TEXT NOT NULL,
    confirmed_at  TIMESTAMPTZ,
    last_step     BIGINT NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL
);

-- Single-use recovery codes, stored as SHA-256 (they are random, 50 bits).
CREATE TABLE member_recovery_codes (
    member_id   TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    code_hash   TEXT NOT NULL,
    used_at     TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (member_id, code_hash)
);

-- The same for platform administrators, who always need a second factor.
CREATE TABLE admin_totp (
    admin_id      TEXT PRIMARY KEY REFERENCES admins(id) ON DELETE CASCADE,
    secret_sealed TEXT NOT NULL,
    confirmed_at  TIMESTAMPTZ,
    last_step     BIGINT NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE TABLE admin_recovery_codes (
    admin_id    TEXT NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
    code_hash   TEXT NOT NULL,
    used_at     TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (admin_id, code_hash)
);

-- How the person of a browser session proved who they are (RFC 8176
-- values, space-separated).
ALTER TABLE browser_sessions ADD COLUMN amr TEXT NOT NULL DEFAULT 'pwd';

-- The owner's policy: every login account needs a second factor.
ALTER TABLE accounts ADD COLUMN require_mfa BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE accounts DROP COLUMN require_mfa;
ALTER TABLE browser_sessions DROP COLUMN amr;
DROP TABLE admin_recovery_codes;
DROP TABLE admin_totp;
DROP TABLE member_recovery_codes;
DROP TABLE member_totp;
