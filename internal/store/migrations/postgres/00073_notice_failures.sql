-- Intent: a notice that fails to fan out (its subject gone or unreadable)
-- is deferred with back-off and its error kept, instead of stopping every
-- notice queued behind it on every tick. attempts counts the failures (the
-- back-off's exponent); next_attempt_at is when it is due again, NULL
-- meaning now; failed_at marks a notice given up on after
-- MaxNoticeAttempts, which leaves the queue with last_error saying why.

-- +goose Up
ALTER TABLE notices ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notices ADD COLUMN next_attempt_at TIMESTAMPTZ;
ALTER TABLE notices ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE notices ADD COLUMN failed_at TIMESTAMPTZ;
DROP INDEX notices_pending;
CREATE INDEX notices_pending ON notices (id) WHERE done_at IS NULL AND failed_at IS NULL;
