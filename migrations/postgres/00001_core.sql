-- +goose Up
-- Accounts are what customers buy products with; members are the people who
-- may sign in to an account: its owner and its login accounts.
CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,             -- 'id' + digits, lower case
    name        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE members (
    id             TEXT PRIMARY KEY,          -- the OIDC 'sub': one person in one account
    account_id     TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    email          TEXT NOT NULL,             -- lower case
    name           TEXT NOT NULL DEFAULT '',
    role           TEXT NOT NULL CHECK (role IN ('owner', 'member')),
    status         TEXT NOT NULL CHECK (status IN ('invited', 'active', 'disabled')),
    password_hash  TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    last_login_at  TIMESTAMPTZ,
    UNIQUE (account_id, email)
);
CREATE INDEX members_email ON members (email);
-- An owner signs in without an account ID: the email must name one owner.
CREATE UNIQUE INDEX members_owner_email ON members (email) WHERE role = 'owner';

-- Platform administrators: they edit policies, they hold no account.
CREATE TABLE admins (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL
);

-- Browser sessions at Sésame. The cookie holds a random id; only its
-- SHA-256 is stored.
CREATE TABLE browser_sessions (
    id_hash       TEXT PRIMARY KEY,
    member_id     TEXT REFERENCES members(id) ON DELETE CASCADE,
    admin_id      TEXT REFERENCES admins(id) ON DELETE CASCADE,
    auth_time     TIMESTAMPTZ NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    ip            TEXT NOT NULL DEFAULT '',
    user_agent    TEXT NOT NULL DEFAULT '',
    CHECK ((member_id IS NULL) <> (admin_id IS NULL))
);
CREATE INDEX browser_sessions_member ON browser_sessions (member_id);
CREATE INDEX browser_sessions_expires ON browser_sessions (expires_at);

-- Failed sign-in counters per key (an IP, or an account + email), in
-- fixed windows; shared by every instance.
CREATE TABLE login_throttle (
    key           TEXT PRIMARY KEY,
    window_start  TIMESTAMPTZ NOT NULL,
    failures      INTEGER NOT NULL
);

-- Token signing keys; the private part is sealed with SESAME_SECRETS.
CREATE TABLE signing_keys (
    kid           TEXT PRIMARY KEY,
    alg           TEXT NOT NULL,
    private_key   TEXT NOT NULL,
    public_jwk    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    retired_at    TIMESTAMPTZ               -- NULL: the current key of its alg
);

-- Instance-wide settings, e.g. the generated secret of a first run.
CREATE TABLE settings (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

-- Who did what, to whom, from where.
CREATE TABLE audit_events (
    id          BIGSERIAL PRIMARY KEY,
    account_id  TEXT NOT NULL DEFAULT '',      -- '' for platform-wide events
    actor_id    TEXT NOT NULL DEFAULT '',
    actor_email TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    target      TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_events_account ON audit_events (account_id, created_at);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE settings;
DROP TABLE signing_keys;
DROP TABLE login_throttle;
DROP TABLE browser_sessions;
DROP TABLE admins;
DROP TABLE members;
DROP TABLE accounts;
