-- +goose Up
-- The sweep of timed-out sessions looks for those idle for too long (the
-- lifetime is indexed since 00001).
CREATE INDEX browser_sessions_last_used ON browser_sessions (last_used_at);

-- +goose Down
DROP INDEX browser_sessions_last_used;
