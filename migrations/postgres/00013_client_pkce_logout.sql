-- +goose Up
-- require_pkce: FALSE lets a confidential client use the code flow without
-- PKCE, relying on nonce (RFC 9700 §2.1.1); a public client always needs it.
-- post_logout_redirect_uris: JSON list of the exact URIs RP-initiated
-- logout may send the browser back to.
ALTER TABLE oauth_clients ADD COLUMN require_pkce BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE oauth_clients ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]';
ALTER TABLE oauth_clients ADD CONSTRAINT oauth_clients_public_pkce CHECK (require_pkce OR NOT public);

-- +goose Down
ALTER TABLE oauth_clients DROP CONSTRAINT oauth_clients_public_pkce;
ALTER TABLE oauth_clients DROP COLUMN post_logout_redirect_uris;
ALTER TABLE oauth_clients DROP COLUMN require_pkce;
