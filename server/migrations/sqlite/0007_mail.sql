-- Notifications (SPEC C4): people's mail addresses (from the org directory)
-- and an outbox, so a failing mail server never fails an order: mail is
-- written in the order's transaction and sent, with retries, by a job.
ALTER TABLE people ADD COLUMN email TEXT;

CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    sent_at         INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL;
