-- +goose Up
-- One row per invitation email sent (first sending or resend): the hourly
-- quota of an account counts these, since a resent invitation keeps its
-- row in invitations. Rows older than the quota's hour are pruned.
CREATE TABLE invitation_sends (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id     TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    invitation_id  TEXT NOT NULL REFERENCES invitations(id) ON DELETE CASCADE,
    sent_at        TIMESTAMP NOT NULL
);
CREATE INDEX invitation_sends_account ON invitation_sends (account_id, sent_at);
CREATE INDEX invitation_sends_invitation ON invitation_sends (invitation_id);
INSERT INTO invitation_sends (account_id, invitation_id, sent_at)
    SELECT account_id, id, sent_at FROM invitations;

-- +goose Down
DROP TABLE invitation_sends;
