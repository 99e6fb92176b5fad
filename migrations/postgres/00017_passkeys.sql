-- +goose Up
-- Passkeys (WebAuthn credentials) serving as a second factor. credential
-- is the credential record as go-webauthn keeps it (JSON: public key, sign
-- counter, flags, transports); nothing in it is secret. credential_id is
-- its ID, base64url, to refuse registering one credential twice.
CREATE TABLE member_passkeys (
    id             TEXT PRIMARY KEY,
    member_id      TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    credential_id  TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    credential     TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    last_used_at   TIMESTAMPTZ
);
CREATE INDEX member_passkeys_member ON member_passkeys (member_id);

CREATE TABLE admin_passkeys (
    id             TEXT PRIMARY KEY,
    admin_id       TEXT NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
    credential_id  TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    credential     TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    last_used_at   TIMESTAMPTZ
);
CREATE INDEX admin_passkeys_admin ON admin_passkeys (admin_id);

-- The challenges of finished WebAuthn ceremonies, kept until they expire:
-- a ceremony's challenge travels sealed in the page, and a row here is
-- what makes each one count once.
CREATE TABLE passkey_challenges (
    challenge   TEXT PRIMARY KEY,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX passkey_challenges_expiry ON passkey_challenges (expires_at);

-- +goose Down
DROP TABLE passkey_challenges;
DROP TABLE admin_passkeys;
DROP TABLE member_passkeys;
