-- +goose Up
-- OAuth 2.0 clients: the products (relying parties) and the scripts that
-- call Sésame. Lists are JSON arrays of strings.
CREATE TABLE oauth_clients (
    id                          TEXT PRIMARY KEY,
    name                        TEXT NOT NULL,
    secret_hash                 TEXT NOT NULL DEFAULT '',      -- hex SHA-256 of the secret; '' for a public client
    redirect_uris               TEXT NOT NULL DEFAULT '[]',
    grant_types                 TEXT NOT NULL DEFAULT '[]',
    response_types              TEXT NOT NULL DEFAULT '[]',
    scopes                      TEXT NOT NULL DEFAULT '[]',
    audience                    TEXT NOT NULL DEFAULT '[]',
    public                      BOOLEAN NOT NULL DEFAULT FALSE,
    first_party                 BOOLEAN NOT NULL DEFAULT FALSE, -- skips the consent screen
    token_endpoint_auth_method  TEXT NOT NULL DEFAULT 'client_secret_basic'
        CHECK (token_endpoint_auth_method IN ('none', 'client_secret_basic', 'client_secret_post')),
    id_token_alg                TEXT NOT NULL DEFAULT 'ES256' CHECK (id_token_alg IN ('ES256', 'RS256')),
    created_at                  TIMESTAMPTZ NOT NULL,
    CHECK (public = (secret_hash = '')),
    CHECK (public = (token_endpoint_auth_method = 'none'))
);

-- One table per kind of fosite request, all keyed by the signature fosite
-- hands over (never a raw token; for oauth_oidc, the SHA-256 of the code).
-- subject is the session's subject, indexed to revoke a person's grants;
-- expires_at is NULL when the token never expires.
CREATE TABLE oauth_codes (
    signature           TEXT PRIMARY KEY,
    request_id          TEXT NOT NULL,
    requested_at        TIMESTAMPTZ NOT NULL,
    client_id           TEXT NOT NULL REFERENCES oauth_clients(id) ON DELETE CASCADE,
    scopes              TEXT NOT NULL,
    granted_scopes      TEXT NOT NULL,
    requested_audience  TEXT NOT NULL,
    granted_audience    TEXT NOT NULL,
    form                TEXT NOT NULL,                 -- URL-encoded, as sanitized by fosite
    session             TEXT NOT NULL,                 -- JSON
    subject             TEXT NOT NULL DEFAULT '',
    active              BOOLEAN NOT NULL DEFAULT TRUE, -- FALSE once redeemed or revoked
    expires_at          TIMESTAMPTZ
);
CREATE INDEX oauth_codes_request ON oauth_codes (request_id);
CREATE INDEX oauth_codes_subject ON oauth_codes (subject);
CREATE INDEX oauth_codes_expires ON oauth_codes (expires_at);

CREATE TABLE oauth_access_tokens (
    signature           TEXT PRIMARY KEY,
    request_id          TEXT NOT NULL,
    requested_at        TIMESTAMPTZ NOT NULL,
    client_id           TEXT NOT NULL REFERENCES oauth_clients(id) ON DELETE CASCADE,
    scopes              TEXT NOT NULL,
    granted_scopes      TEXT NOT NULL,
    requested_audience  TEXT NOT NULL,
    granted_audience    TEXT NOT NULL,
    form                TEXT NOT NULL,
    session             TEXT NOT NULL,
    subject             TEXT NOT NULL DEFAULT '',
    active              BOOLEAN NOT NULL DEFAULT TRUE,
    expires_at          TIMESTAMPTZ
);
CREATE INDEX oauth_access_tokens_request ON oauth_access_tokens (request_id);
CREATE INDEX oauth_access_tokens_subject ON oauth_access_tokens (subject);
CREATE INDEX oauth_access_tokens_expires ON oauth_access_tokens (expires_at);

CREATE TABLE oauth_refresh_tokens (
    signature           TEXT PRIMARY KEY,
    request_id          TEXT NOT NULL,
    requested_at        TIMESTAMPTZ NOT NULL,
    client_id           TEXT NOT NULL REFERENCES oauth_clients(id) ON DELETE CASCADE,
    scopes              TEXT NOT NULL,
    granted_scopes      TEXT NOT NULL,
    requested_audience  TEXT NOT NULL,
    granted_audience    TEXT NOT NULL,
    form                TEXT NOT NULL,
    session             TEXT NOT NULL,
    subject             TEXT NOT NULL DEFAULT '',
    active              BOOLEAN NOT NULL DEFAULT TRUE, -- FALSE once rotated or revoked: reuse is detected
    expires_at          TIMESTAMPTZ,
    access_signature    TEXT NOT NULL DEFAULT ''       -- the access token issued with it
);
CREATE INDEX oauth_refresh_tokens_request ON oauth_refresh_tokens (request_id);
CREATE INDEX oauth_refresh_tokens_subject ON oauth_refresh_tokens (subject);
CREATE INDEX oauth_refresh_tokens_expires ON oauth_refresh_tokens (expires_at);

-- PKCE challenges, keyed by the code signature; deleted when the code is redeemed.
CREATE TABLE oauth_pkce (
    signature           TEXT PRIMARY KEY,
    request_id          TEXT NOT NULL,
    requested_at        TIMESTAMPTZ NOT NULL,
    client_id           TEXT NOT NULL REFERENCES oauth_clients(id) ON DELETE CASCADE,
    scopes              TEXT NOT NULL,
    granted_scopes      TEXT NOT NULL,
    requested_audience  TEXT NOT NULL,
    granted_audience    TEXT NOT NULL,
    form                TEXT NOT NULL,
    session             TEXT NOT NULL,
    subject             TEXT NOT NULL DEFAULT '',
    expires_at          TIMESTAMPTZ
);
CREATE INDEX oauth_pkce_subject ON oauth_pkce (subject);
CREATE INDEX oauth_pkce_expires ON oauth_pkce (expires_at);

-- OpenID Connect sessions of the code flow; signature = hex SHA-256 of the raw code.
CREATE TABLE oauth_oidc (
    signature           TEXT PRIMARY KEY,
    request_id          TEXT NOT NULL,
    requested_at        TIMESTAMPTZ NOT NULL,
    client_id           TEXT NOT NULL REFERENCES oauth_clients(id) ON DELETE CASCADE,
    scopes              TEXT NOT NULL,
    granted_scopes      TEXT NOT NULL,
    requested_audience  TEXT NOT NULL,
    granted_audience    TEXT NOT NULL,
    form                TEXT NOT NULL,
    session             TEXT NOT NULL,
    subject             TEXT NOT NULL DEFAULT '',
    expires_at          TIMESTAMPTZ
);
CREATE INDEX oauth_oidc_subject ON oauth_oidc (subject);
CREATE INDEX oauth_oidc_expires ON oauth_oidc (expires_at);

-- JWT IDs of client assertions already seen (replay protection).
CREATE TABLE oauth_jtis (
    jti         TEXT PRIMARY KEY,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX oauth_jtis_expires ON oauth_jtis (expires_at);

-- +goose Down
DROP TABLE oauth_jtis;
DROP TABLE oauth_oidc;
DROP TABLE oauth_pkce;
DROP TABLE oauth_refresh_tokens;
DROP TABLE oauth_access_tokens;
DROP TABLE oauth_codes;
DROP TABLE oauth_clients;
