-- Intent: what SMS and voice providers report back about each message or
-- call (their id, delivery state, error code and price), one row per
-- notification, replaced by every later report.

-- +goose Up
CREATE TABLE notification_receipts (
	notification_id INTEGER PRIMARY KEY REFERENCES notifications (id),
	provider        TEXT NOT NULL,
	provider_id     TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL,
	error_code      TEXT NOT NULL DEFAULT '',
	price           TEXT NOT NULL DEFAULT '',
	price_unit      TEXT NOT NULL DEFAULT '',
	updated_at      TEXT NOT NULL
);
