-- Intent: change management. Changes (releases, migrations, configuration
-- and data operations) with their services, evidence, approvals, policy
-- violations, timeline and the notifications owed about them; freeze
-- windows with their exceptions; and the links from incidents to the
-- changes suspected of causing them. The policy itself lives in settings
-- under "change_policy".

-- +goose Up
CREATE TABLE changes (
	id                 INTEGER PRIMARY KEY,
	kind               TEXT NOT NULL,
	title              TEXT NOT NULL,
	description        TEXT NOT NULL DEFAULT '',
	author_id          INTEGER REFERENCES users (id),
	links              TEXT NOT NULL DEFAULT '[]',
	planned_start      TEXT,
	planned_end        TEXT,
	risk               TEXT NOT NULL,
	proposed_risk      TEXT NOT NULL,
	risk_reason        TEXT NOT NULL DEFAULT '',
	test_report        TEXT NOT NULL DEFAULT '',
	rollback_plan      TEXT NOT NULL DEFAULT '',
	backup_location    TEXT NOT NULL DEFAULT '',
	backup_verified_at TEXT,
	accepted_by        TEXT NOT NULL DEFAULT '',
	accepted_at        TEXT,
	state              TEXT NOT NULL,
	source             TEXT NOT NULL,
	started_at         TEXT,
	ended_at           TEXT,
	created_at         TEXT NOT NULL,
	updated_at         TEXT NOT NULL
);
CREATE INDEX changes_started ON changes (started_at);
CREATE INDEX changes_state ON changes (state, id);

CREATE TABLE change_services (
	change_id  INTEGER NOT NULL REFERENCES changes (id),
	service_id INTEGER NOT NULL REFERENCES services (id),
	PRIMARY KEY (change_id, service_id)
);
-- The incident brief looks changes up by service.
CREATE INDEX change_services_service ON change_services (service_id, change_id);

-- One decision per person and change.
CREATE TABLE change_approvals (
	id        INTEGER PRIMARY KEY,
	change_id INTEGER NOT NULL REFERENCES changes (id),
	user_id   INTEGER NOT NULL REFERENCES users (id),
	user_role TEXT NOT NULL,
	decision  TEXT NOT NULL,
	comment   TEXT NOT NULL DEFAULT '',
	at        TEXT NOT NULL,
	UNIQUE (change_id, user_id)
);

CREATE TABLE change_violations (
	id        INTEGER PRIMARY KEY,
	change_id INTEGER NOT NULL REFERENCES changes (id),
	code      TEXT NOT NULL,
	message   TEXT NOT NULL,
	at        TEXT NOT NULL
);
CREATE INDEX change_violations_change ON change_violations (change_id);

CREATE TABLE change_events (
	id        INTEGER PRIMARY KEY,
	change_id INTEGER NOT NULL REFERENCES changes (id),
	kind      TEXT NOT NULL,
	actor_id  INTEGER REFERENCES users (id),
	at        TEXT NOT NULL,
	text      TEXT NOT NULL DEFAULT '',
	data      TEXT
);
CREATE INDEX change_events_change ON change_events (change_id, id);

-- Messages owed about a change, kept until a channel delivers them
-- (sent_at): a durable outbox.
CREATE TABLE change_notifications (
	id         INTEGER PRIMARY KEY,
	change_id  INTEGER NOT NULL REFERENCES changes (id),
	kind       TEXT NOT NULL,
	user_id    INTEGER REFERENCES users (id),
	team       TEXT NOT NULL DEFAULT '',
	text       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	sent_at    TEXT
);
CREATE INDEX change_notifications_pending ON change_notifications (sent_at, id);
CREATE INDEX change_notifications_change ON change_notifications (change_id);

CREATE TABLE freeze_windows (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	reason     TEXT NOT NULL DEFAULT '',
	starts_at  TEXT NOT NULL,
	ends_at    TEXT NOT NULL,
	created_by INTEGER REFERENCES users (id),
	created_at TEXT NOT NULL
);
CREATE INDEX freeze_windows_time ON freeze_windows (ends_at, starts_at);

CREATE TABLE freeze_services (
	freeze_id  INTEGER NOT NULL REFERENCES freeze_windows (id) ON DELETE CASCADE,
	service_id INTEGER NOT NULL REFERENCES services (id),
	PRIMARY KEY (freeze_id, service_id)
);

CREATE TABLE freeze_exceptions (
	id         INTEGER PRIMARY KEY,
	freeze_id  INTEGER NOT NULL REFERENCES freeze_windows (id) ON DELETE CASCADE,
	change_id  INTEGER NOT NULL REFERENCES changes (id),
	reason     TEXT NOT NULL,
	granted_by INTEGER REFERENCES users (id),
	granted_at TEXT NOT NULL,
	UNIQUE (freeze_id, change_id)
);

CREATE TABLE incident_changes (
	incident_id INTEGER NOT NULL REFERENCES incidents (id),
	change_id   INTEGER NOT NULL REFERENCES changes (id),
	note        TEXT NOT NULL DEFAULT '',
	linked_by   INTEGER REFERENCES users (id),
	linked_at   TEXT NOT NULL,
	PRIMARY KEY (incident_id, change_id)
);
CREATE INDEX incident_changes_change ON incident_changes (change_id);
