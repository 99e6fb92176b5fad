-- +goose Up
-- A rotated key is published before it signs, so that every instance and
-- every product knows it by the time tokens carry its kid. NULL: active
-- from created_at.
ALTER TABLE signing_keys ADD COLUMN activates_at TIMESTAMP;

-- +goose Down
ALTER TABLE signing_keys DROP COLUMN activates_at;
