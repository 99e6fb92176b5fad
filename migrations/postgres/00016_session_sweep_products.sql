-- +goose Up
-- The sweep of timed-out sessions looks for those idle for too long (the
-- lifetime is indexed since 00001).
CREATE INDEX browser_sessions_last_used ON browser_sessions (last_used_at);

-- A product's home page (client_uri, RFC 7591) and the product whose rights
-- it serves (the namespace of its rights: server, domain, email…): "Mon
-- compte" links people to the products they hold rights on. Empty: no link.
ALTER TABLE oauth_clients ADD COLUMN client_uri TEXT NOT NULL DEFAULT '';
ALTER TABLE oauth_clients ADD COLUMN product TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE oauth_clients DROP COLUMN product;
ALTER TABLE oauth_clients DROP COLUMN client_uri;
DROP INDEX browser_sessions_last_used;
