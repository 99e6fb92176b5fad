-- +goose Up
-- When a browser session was last used, written at most once a minute per
-- session; NULL until the first write (created_at stands for it). A
-- session unused for longer than the idle timeout has ended.
ALTER TABLE browser_sessions ADD COLUMN last_used_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE browser_sessions DROP COLUMN last_used_at;
