-- +goose Up
-- Scopes a person agreed to give a third-party client; first-party clients
-- need none.
CREATE TABLE oauth_consents (
    member_id   TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    client_id   TEXT NOT NULL,
    scopes      TEXT NOT NULL,               -- space-separated
    granted_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (member_id, client_id)
);

-- +goose Down
DROP TABLE oauth_consents;
