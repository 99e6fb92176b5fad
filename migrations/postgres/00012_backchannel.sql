-- +goose Up
-- A browser session has a public id (sid), carried in ID tokens and in
-- the access tokens of the code flow, and named by back-channel logout
-- tokens. It is random and unrelated to the cookie.
ALTER TABLE browser_sessions ADD COLUMN sid TEXT;
UPDATE browser_sessions SET sid = replace(gen_random_uuid()::text, '-', '') WHERE sid IS NULL;
CREATE UNIQUE INDEX browser_sessions_sid ON browser_sessions (sid);

-- The clients a session signed into, written when an authorization code
-- is issued for it: who must hear of its end.
CREATE TABLE session_clients (
    sid         TEXT NOT NULL REFERENCES browser_sessions(sid) ON DELETE CASCADE,
    client_id   TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (sid, client_id)
);
CREATE INDEX session_clients_member ON session_clients (member_id);

-- Where a client hears of ended sessions and changed rights.
ALTER TABLE oauth_clients ADD COLUMN backchannel_logout_uri TEXT NOT NULL DEFAULT '';
ALTER TABLE oauth_clients ADD COLUMN events_uri TEXT NOT NULL DEFAULT '';

-- Logout tokens and security event tokens to deliver, written in the
-- transaction of the change (a session ended, rights changed). The claims
-- are stored; the token is signed at each attempt, always with the same
-- jti. A row is claimed with a lease (locked_until, locked_by) so that two
-- instances never deliver it at once. dedupe_key, when set, makes an
-- emission idempotent (the expiry of a grant, seen by several instances).
CREATE TABLE event_deliveries (
    id               BIGSERIAL PRIMARY KEY,
    jti              TEXT NOT NULL UNIQUE,
    dedupe_key       TEXT UNIQUE,
    kind             TEXT NOT NULL,              -- logout | rights
    client_id        TEXT NOT NULL,
    uri              TEXT NOT NULL,
    alg              TEXT NOT NULL,
    subject          TEXT NOT NULL,
    sid              TEXT NOT NULL DEFAULT '',
    account_id       TEXT NOT NULL DEFAULT '',
    event_at         TIMESTAMPTZ NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL,
    locked_until     TIMESTAMPTZ,
    locked_by        TEXT NOT NULL DEFAULT '',
    delivered_at     TIMESTAMPTZ,
    failed_at        TIMESTAMPTZ,
    last_status      INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX event_deliveries_due ON event_deliveries (next_attempt_at, id)
    WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX event_deliveries_created ON event_deliveries (created_at);

-- The expiry scan finds the grants that ended since its last pass.
CREATE INDEX casbin_rule_expiry ON casbin_rule (v4) WHERE ptype = 'p' AND v4 <> '';

-- +goose Down
DROP INDEX casbin_rule_expiry;
DROP TABLE event_deliveries;
ALTER TABLE oauth_clients DROP COLUMN events_uri;
ALTER TABLE oauth_clients DROP COLUMN backchannel_logout_uri;
DROP TABLE session_clients;
DROP INDEX browser_sessions_sid;
ALTER TABLE browser_sessions DROP COLUMN sid;
