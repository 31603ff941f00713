-- Change notifications are delivered through the on-call outbox: each row
-- of change_notifications queues notifications to its recipients' contact
-- methods in the same transaction, and is marked sent once one of them is.

-- +goose Up
ALTER TABLE notifications ADD COLUMN change_notification_id INTEGER REFERENCES change_notifications (id);
CREATE INDEX notifications_change_notification ON notifications (change_notification_id) WHERE change_notification_id IS NOT NULL;

-- +goose Down
DROP INDEX notifications_change_notification;
ALTER TABLE notifications DROP COLUMN change_notification_id;
