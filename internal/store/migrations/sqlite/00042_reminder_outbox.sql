-- Reminders are delivered through the on-call outbox: each reminder queues
-- notifications to its recipient's contact methods in the transaction that
-- records it, so retries and failure records are the pager's, and the
-- reminder counts as delivered once one of them is sent.

-- +goose Up
ALTER TABLE notifications ADD COLUMN reminder_id INTEGER REFERENCES reminders (id);
CREATE INDEX notifications_reminder ON notifications (reminder_id) WHERE reminder_id IS NOT NULL;

-- +goose Down
DROP INDEX notifications_reminder;
ALTER TABLE notifications DROP COLUMN reminder_id;
