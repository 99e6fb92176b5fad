-- +goose Up
-- A message keeps one Message-ID across its attempts, so that a copy sent
-- twice is recognisable as the same message. locked_by names the instance
-- (host/pid/random) holding the lease, so that a restarted process can
-- release the claims of the process it replaces.
ALTER TABLE mail_outbox ADD COLUMN message_id TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN locked_by TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE mail_outbox DROP COLUMN locked_by;
ALTER TABLE mail_outbox DROP COLUMN message_id;
