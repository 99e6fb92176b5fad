-- +goose Up
-- Invitations to become a login account of an account. Only the SHA-256 of
-- the single-use token is stored. 'expired' is set lazily; a pending
-- invitation past expires_at is expired whatever its status says.
CREATE TABLE invitations (
    id                TEXT PRIMARY KEY,
    account_id        TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    email             TEXT NOT NULL,
    rights            TEXT NOT NULL,                 -- JSON array of grants
    token_hash        TEXT NOT NULL UNIQUE,
    status            TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'revoked', 'expired')),
    lang              TEXT NOT NULL DEFAULT 'fr',
    invited_by        TEXT NOT NULL DEFAULT '',      -- member ID; '' for the CLI
    invited_by_email  TEXT NOT NULL DEFAULT '',
    member_id         TEXT,                          -- the login account created on acceptance
    mail_id           INTEGER,                        -- outbox message of the latest sending
    created_at        TIMESTAMP NOT NULL,
    sent_at           TIMESTAMP NOT NULL,
    expires_at        TIMESTAMP NOT NULL,
    accepted_at       TIMESTAMP,
    revoked_at        TIMESTAMP
);
CREATE INDEX invitations_account ON invitations (account_id, created_at);
-- At most one live invitation per person and account.
CREATE UNIQUE INDEX invitations_one_pending ON invitations (account_id, email) WHERE status = 'pending';

-- +goose Down
DROP TABLE invitations;
