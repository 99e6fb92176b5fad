-- +goose Up
-- Links to choose a new password when the old one is forgotten. Only the
-- SHA-256 of the single-use token is stored.
CREATE TABLE password_resets (
    token_hash  TEXT PRIMARY KEY,
    member_id   TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP
);
CREATE INDEX password_resets_member ON password_resets (member_id, created_at);

-- +goose Down
DROP TABLE password_resets;
