-- +goose Up
-- Requests of the forgotten-password form, stored before the form answers
-- and worked off by a worker in every instance: it finds the person (or
-- nobody), writes the link and queues its mail, and deletes the request
-- in one transaction. A request is claimed with a lease (locked_until);
-- a failed attempt waits next_attempt_at. The account ID is kept as typed.
CREATE TABLE password_reset_requests (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    email            TEXT NOT NULL,
    account_id       TEXT NOT NULL DEFAULT '',
    lang             TEXT NOT NULL DEFAULT '',
    ip               TEXT NOT NULL DEFAULT '',
    requested_at     TIMESTAMP NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,  -- claims so far, the current one included
    next_attempt_at  TIMESTAMP NOT NULL,
    locked_until     TIMESTAMP,
    last_error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX password_reset_requests_due ON password_reset_requests (next_attempt_at, id);

-- +goose Down
DROP TABLE password_reset_requests;
