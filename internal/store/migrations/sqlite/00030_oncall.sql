-- Intent: on-call and paging. Contact methods and notification rules per
-- user; schedules (layers as a JSON document), overrides and swaps;
-- escalation policies (levels as a JSON document) and the policy of each
-- service; and the durable timers the engine claims: escalations.next_at,
-- sla_timers.due_at and notifications.next_at (the outbox, with retry
-- back-off). A timer is due when its column is not NULL and not after now;
-- the partial indexes keep the due scans to due rows only.

-- +goose Up
CREATE TABLE contact_methods (
	id                INTEGER PRIMARY KEY,
	user_id           INTEGER NOT NULL REFERENCES users (id),
	type              TEXT NOT NULL,
	name              TEXT NOT NULL,
	-- Sealed (encrypted) because webhook URLs and bot secrets are credentials.
	address_sealed    TEXT NOT NULL,
	secret_sealed     TEXT NOT NULL DEFAULT '',
	verify_code_hash  TEXT NOT NULL DEFAULT '',
	verify_expires_at TEXT,
	verified_at       TEXT,
	deleted_at        TEXT,
	created_at        TEXT NOT NULL
);
CREATE INDEX contact_methods_user ON contact_methods (user_id, id);

CREATE TABLE notification_rules (
	id                INTEGER PRIMARY KEY,
	user_id           INTEGER NOT NULL REFERENCES users (id),
	contact_method_id INTEGER NOT NULL REFERENCES contact_methods (id),
	delay_seconds     INTEGER NOT NULL,
	created_at        TEXT NOT NULL
);
CREATE INDEX notification_rules_user ON notification_rules (user_id, delay_seconds);

CREATE TABLE schedules (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	team        TEXT NOT NULL DEFAULT '',
	time_zone   TEXT NOT NULL,
	layers      TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
);
CREATE INDEX schedules_team ON schedules (team);

CREATE TABLE schedule_overrides (
	id               INTEGER PRIMARY KEY,
	schedule_id      INTEGER NOT NULL REFERENCES schedules (id),
	user_id          INTEGER NOT NULL REFERENCES users (id),
	replaces_user_id INTEGER REFERENCES users (id),
	start_at         TEXT NOT NULL,
	end_at           TEXT NOT NULL,
	created_by       INTEGER REFERENCES users (id),
	created_at       TEXT NOT NULL
);
CREATE INDEX schedule_overrides_window ON schedule_overrides (schedule_id, end_at);

CREATE TABLE shift_swaps (
	id           INTEGER PRIMARY KEY,
	schedule_id  INTEGER NOT NULL REFERENCES schedules (id),
	from_user_id INTEGER NOT NULL REFERENCES users (id),
	to_user_id   INTEGER NOT NULL REFERENCES users (id),
	start_at     TEXT NOT NULL,
	end_at       TEXT NOT NULL,
	state        TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	decided_at   TEXT
);
CREATE INDEX shift_swaps_window ON shift_swaps (schedule_id, end_at);

CREATE TABLE escalation_policies (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL,
	description  TEXT NOT NULL DEFAULT '',
	repeat_count INTEGER NOT NULL DEFAULT 0,
	levels       TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL
);

CREATE TABLE service_escalation_policies (
	service_id INTEGER PRIMARY KEY REFERENCES services (id),
	policy_id  INTEGER NOT NULL REFERENCES escalation_policies (id)
);

CREATE TABLE escalations (
	id          INTEGER PRIMARY KEY,
	incident_id INTEGER NOT NULL REFERENCES incidents (id),
	policy_id   INTEGER NOT NULL REFERENCES escalation_policies (id),
	level       INTEGER NOT NULL DEFAULT 0,
	loop        INTEGER NOT NULL DEFAULT 0,
	next_at     TEXT,
	stopped_at  TEXT,
	stop_reason TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL
);
-- One escalation per incident and policy: a second declare path cannot page twice.
CREATE UNIQUE INDEX escalations_incident_policy ON escalations (incident_id, policy_id);
CREATE INDEX escalations_due ON escalations (next_at) WHERE next_at IS NOT NULL;

CREATE TABLE sla_timers (
	id          INTEGER PRIMARY KEY,
	incident_id INTEGER NOT NULL REFERENCES incidents (id),
	kind        TEXT NOT NULL,
	due_at      TEXT,
	fired_at    TEXT
);
CREATE UNIQUE INDEX sla_timers_incident_kind ON sla_timers (incident_id, kind);
CREATE INDEX sla_timers_due ON sla_timers (due_at) WHERE due_at IS NOT NULL;

CREATE TABLE notifications (
	id                INTEGER PRIMARY KEY,
	kind              TEXT NOT NULL,
	state             TEXT NOT NULL,
	incident_id       INTEGER REFERENCES incidents (id),
	escalation_id     INTEGER REFERENCES escalations (id),
	user_id           INTEGER NOT NULL REFERENCES users (id),
	contact_method_id INTEGER NOT NULL REFERENCES contact_methods (id),
	level             INTEGER NOT NULL DEFAULT 0,
	text              TEXT NOT NULL DEFAULT '',
	attempts          INTEGER NOT NULL DEFAULT 0,
	next_at           TEXT,
	last_error        TEXT NOT NULL DEFAULT '',
	created_at        TEXT NOT NULL,
	sent_at           TEXT
);
CREATE INDEX notifications_due ON notifications (next_at) WHERE next_at IS NOT NULL;
CREATE INDEX notifications_incident ON notifications (incident_id, id);
CREATE INDEX notifications_user ON notifications (user_id, id);
