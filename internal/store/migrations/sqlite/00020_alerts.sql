-- Intent: alert ingestion. Integration keys per service; alerts, one row per
-- open dedup key in its scope (an integration or a monitor), with a partial
-- unique index that makes the dedup an upsert; the alert outbox that
-- routing works through after the ingest transaction commits; routing
-- rules and the groups they keep open; heartbeat and flow monitors, whose
-- due times are columns so that a restart loses no timer; maintenance
-- windows.

-- +goose Up
CREATE TABLE integrations (
	id         INTEGER PRIMARY KEY,
	service_id INTEGER NOT NULL REFERENCES services (id),
	name       TEXT NOT NULL,
	kind       TEXT NOT NULL,
	key        TEXT NOT NULL UNIQUE,
	secret     TEXT NOT NULL DEFAULT '',
	rate_limit INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL,
	rotated_at TEXT,
	revoked_at TEXT
);
CREATE INDEX integrations_service ON integrations (service_id, name);

CREATE TABLE monitors (
	id               INTEGER PRIMARY KEY,
	service_id       INTEGER NOT NULL REFERENCES services (id),
	name             TEXT NOT NULL,
	kind             TEXT NOT NULL,
	token            TEXT NOT NULL UNIQUE,
	severity         TEXT NOT NULL,
	period_seconds   INTEGER NOT NULL DEFAULT 0,
	grace_seconds    INTEGER NOT NULL DEFAULT 0,
	min_events       INTEGER NOT NULL DEFAULT 0,
	window_seconds   INTEGER NOT NULL DEFAULT 0,
	business_hours   TEXT NOT NULL DEFAULT '{}',
	matchers         TEXT NOT NULL DEFAULT '[]',
	status           TEXT NOT NULL,
	last_check_in_at TEXT,
	due_at           TEXT,
	window_start     TEXT,
	window_count     INTEGER NOT NULL DEFAULT 0,
	created_at       TEXT NOT NULL,
	updated_at       TEXT NOT NULL
);
CREATE INDEX monitors_due ON monitors (kind, status, due_at);
CREATE INDEX monitors_service ON monitors (service_id, name);

-- monitor_id and rule_id carry no foreign key: monitors and rules can be
-- deleted while the alerts they raised or routed stay on record.
CREATE TABLE alerts (
	id              INTEGER PRIMARY KEY,
	service_id      INTEGER NOT NULL REFERENCES services (id),
	integration_id  INTEGER REFERENCES integrations (id),
	monitor_id      INTEGER,
	scope           TEXT NOT NULL,
	dedup_key       TEXT NOT NULL,
	source          TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL,
	summary         TEXT NOT NULL,
	severity        TEXT NOT NULL,
	labels          TEXT NOT NULL DEFAULT '{}',
	details         TEXT,
	links           TEXT,
	raw             TEXT,
	occurrences     INTEGER NOT NULL DEFAULT 1,
	first_seen_at   TEXT NOT NULL,
	last_seen_at    TEXT NOT NULL,
	acknowledged_at TEXT,
	resolved_at     TEXT,
	incident_id     INTEGER REFERENCES incidents (id),
	rule_id         INTEGER,
	suppressed      INTEGER NOT NULL DEFAULT 0,
	routed          INTEGER NOT NULL DEFAULT 0
);
-- One open alert per key: a trigger upserts into it, a trigger after a
-- resolve inserts a new row.
CREATE UNIQUE INDEX alerts_open_key ON alerts (scope, dedup_key) WHERE resolved_at IS NULL;
CREATE INDEX alerts_service ON alerts (service_id, id);
CREATE INDEX alerts_incident ON alerts (incident_id) WHERE incident_id IS NOT NULL;

CREATE TABLE alert_outbox (
	id       INTEGER PRIMARY KEY,
	alert_id INTEGER NOT NULL,
	action   TEXT NOT NULL,
	at       TEXT NOT NULL
);

CREATE TABLE routing_rules (
	id                   INTEGER PRIMARY KEY,
	service_id           INTEGER NOT NULL REFERENCES services (id),
	name                 TEXT NOT NULL,
	position             INTEGER NOT NULL,
	matchers             TEXT NOT NULL DEFAULT '[]',
	severity_map         TEXT NOT NULL DEFAULT '{}',
	auto_open            INTEGER NOT NULL DEFAULT 1,
	group_by             TEXT NOT NULL DEFAULT '[]',
	group_window_seconds INTEGER NOT NULL DEFAULT 0,
	mitigate_on_resolve  INTEGER NOT NULL DEFAULT 0,
	created_at           TEXT NOT NULL,
	updated_at           TEXT NOT NULL
);
CREATE INDEX routing_rules_service ON routing_rules (service_id, position, id);

-- rule_id 0 is the default rule.
CREATE TABLE alert_groups (
	service_id    INTEGER NOT NULL,
	rule_id       INTEGER NOT NULL,
	group_key     TEXT NOT NULL,
	incident_id   INTEGER NOT NULL REFERENCES incidents (id),
	last_alert_at TEXT NOT NULL,
	PRIMARY KEY (service_id, rule_id, group_key)
);

CREATE TABLE maintenance_windows (
	id         INTEGER PRIMARY KEY,
	service_id INTEGER NOT NULL REFERENCES services (id),
	starts_at  TEXT NOT NULL,
	ends_at    TEXT NOT NULL,
	reason     TEXT NOT NULL DEFAULT '',
	created_by INTEGER REFERENCES users (id),
	created_at TEXT NOT NULL
);
CREATE INDEX maintenance_windows_service ON maintenance_windows (service_id, ends_at);
