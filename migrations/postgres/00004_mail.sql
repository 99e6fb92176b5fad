-- +goose Up
-- Outgoing mail, written in the transaction of the change that causes it
-- (an invitation) and delivered afterwards by a worker. A row is claimed
-- with a lease (locked_until) so that two instances never send it at once.
-- The bodies are blanked once the message is sent or abandoned: they may
-- hold single-use links.
CREATE TABLE mail_outbox (
    id               BIGSERIAL PRIMARY KEY,
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    text_body        TEXT NOT NULL,
    html_body        TEXT NOT NULL DEFAULT '',
    attempts         INTEGER NOT NULL DEFAULT 0,  -- claims so far, the current one included
    next_attempt_at  TIMESTAMPTZ NOT NULL,
    locked_until     TIMESTAMPTZ,                 -- lease of the worker sending it
    sent_at          TIMESTAMPTZ,
    failed_at        TIMESTAMPTZ,                 -- given up: no more attempts
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at, id)
    WHERE sent_at IS NULL AND failed_at IS NULL;

-- +goose Down
DROP TABLE mail_outbox;
