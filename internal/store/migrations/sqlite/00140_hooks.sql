-- Outbound event webhooks. The transaction that records a timeline event
-- queues one hook_deliveries row per subscription whose filters it passes,
-- so nothing committed is lost; the delivery module claims the rows,
-- posts them and logs every attempt in hook_attempts. Filter lists are
-- stored ",a,b," so that one LIKE matches a value in SQL on both engines;
-- kinds holds the timeline kinds the chosen event types carry.

-- +goose Up
CREATE TABLE hook_subscriptions (
	id                   INTEGER PRIMARY KEY,
	name                 TEXT NOT NULL,
	url_sealed           TEXT NOT NULL,
	secret_sealed        TEXT NOT NULL,
	event_types          TEXT NOT NULL DEFAULT '',
	kinds                TEXT NOT NULL,
	severities           TEXT NOT NULL DEFAULT '',
	incident_types       TEXT NOT NULL DEFAULT '',
	service_ids          TEXT NOT NULL DEFAULT '',
	drills               INTEGER NOT NULL DEFAULT 0,
	active               INTEGER NOT NULL DEFAULT 1,
	consecutive_failures INTEGER NOT NULL DEFAULT 0,
	last_status          INTEGER NOT NULL DEFAULT 0,
	last_error           TEXT NOT NULL DEFAULT '',
	last_success_at      TEXT,
	last_failure_at      TEXT,
	created_at           TEXT NOT NULL,
	updated_at           TEXT NOT NULL
);

CREATE TABLE hook_deliveries (
	id              INTEGER PRIMARY KEY,
	subscription_id INTEGER NOT NULL REFERENCES hook_subscriptions (id) ON DELETE CASCADE,
	event_id        INTEGER NOT NULL REFERENCES events (id),
	incident_id     INTEGER NOT NULL REFERENCES incidents (id),
	state           TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_at         TEXT,
	last_status     INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT NOT NULL DEFAULT '',
	body            TEXT,
	-- redelivered marks a delivery someone sent again after it settled.
	redelivered     INTEGER NOT NULL DEFAULT 0,
	created_at      TEXT NOT NULL,
	delivered_at    TEXT,
	UNIQUE (subscription_id, event_id)
);
-- Due work, and the head of each subscription's queue per incident.
CREATE INDEX hook_deliveries_due ON hook_deliveries (next_at) WHERE state = 'pending';
CREATE INDEX hook_deliveries_queue ON hook_deliveries (subscription_id, incident_id, event_id) WHERE state = 'pending';
CREATE INDEX hook_deliveries_log ON hook_deliveries (subscription_id, id);

CREATE TABLE hook_attempts (
	id          INTEGER PRIMARY KEY,
	delivery_id INTEGER NOT NULL REFERENCES hook_deliveries (id) ON DELETE CASCADE,
	at          TEXT NOT NULL,
	status      INTEGER NOT NULL DEFAULT 0,
	error       TEXT NOT NULL DEFAULT '',
	duration_ms INTEGER NOT NULL DEFAULT 0,
	redelivery  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX hook_attempts_delivery ON hook_attempts (delivery_id, id);

-- +goose Down
DROP TABLE hook_attempts;
DROP TABLE hook_deliveries;
DROP TABLE hook_subscriptions;
