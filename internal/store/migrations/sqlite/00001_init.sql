-- Intent: the first schema. Users and their credentials, the service
-- catalog, incidents with their services, roles, tasks and timeline, SOP
-- templates, settings (severity matrix, SLA policies) and the append-only
-- audit log. Instants are fixed-width ISO-8601 UTC text
-- (2006-01-02T15:04:05.000000Z) so that text order is time order; booleans
-- are 0/1; money is an integer of hundredths beside its currency.

-- +goose Up
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL,
	email         TEXT NOT NULL,
	role          TEXT NOT NULL,
	active        INTEGER NOT NULL DEFAULT 1,
	locale        TEXT NOT NULL DEFAULT 'en',
	time_zone     TEXT NOT NULL DEFAULT 'UTC',
	password_hash TEXT,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users (id),
	name         TEXT NOT NULL,
	prefix       TEXT NOT NULL,
	hash         TEXT NOT NULL UNIQUE,
	created_at   TEXT NOT NULL,
	expires_at   TEXT,
	last_used_at TEXT,
	revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE sessions (
	id           INTEGER PRIMARY KEY,
	secret_hash  TEXT NOT NULL UNIQUE,
	csrf_token   TEXT NOT NULL,
	user_id      INTEGER NOT NULL REFERENCES users (id),
	created_at   TEXT NOT NULL,
	expires_at   TEXT NOT NULL,
	last_seen_at TEXT NOT NULL,
	user_agent   TEXT NOT NULL DEFAULT '',
	source_ip    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE services (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	description TEXT NOT NULL DEFAULT '',
	team        TEXT NOT NULL DEFAULT '',
	tier        INTEGER NOT NULL,
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
);

CREATE TABLE incidents (
	id                         INTEGER PRIMARY KEY,
	title                      TEXT NOT NULL,
	summary                    TEXT NOT NULL DEFAULT '',
	type                       TEXT NOT NULL,
	state                      TEXT NOT NULL,
	severity                   TEXT NOT NULL,
	proposed_severity          TEXT NOT NULL,
	severity_reason            TEXT NOT NULL DEFAULT '',
	users_affected             INTEGER NOT NULL DEFAULT 0,
	money_affected             INTEGER NOT NULL DEFAULT 0,
	money_affected_currency    TEXT NOT NULL DEFAULT '',
	orders_affected            INTEGER NOT NULL DEFAULT 0,
	compliance_impact          INTEGER NOT NULL DEFAULT 0,
	compliance_note            TEXT NOT NULL DEFAULT '',
	recovery_path_available    INTEGER,
	money_lost                 INTEGER NOT NULL DEFAULT 0,
	money_lost_currency        TEXT NOT NULL DEFAULT '',
	compensation_paid          INTEGER NOT NULL DEFAULT 0,
	compensation_paid_currency TEXT NOT NULL DEFAULT '',
	orders_lost                INTEGER NOT NULL DEFAULT 0,
	downtime_minutes           INTEGER NOT NULL DEFAULT 0,
	loss_note                  TEXT NOT NULL DEFAULT '',
	drill                      INTEGER NOT NULL DEFAULT 0,
	detected_at                TEXT NOT NULL,
	acknowledged_at            TEXT,
	mitigated_at               TEXT,
	resolved_at                TEXT,
	closed_at                  TEXT,
	created_at                 TEXT NOT NULL,
	updated_at                 TEXT NOT NULL,
	created_by                 INTEGER REFERENCES users (id)
);
-- The incident list filters by state and orders by severity then detection.
CREATE INDEX incidents_state_severity_detected ON incidents (state, severity, detected_at);
CREATE INDEX incidents_severity_detected ON incidents (severity, detected_at);
CREATE INDEX incidents_detected ON incidents (detected_at);

CREATE TABLE incident_services (
	incident_id INTEGER NOT NULL REFERENCES incidents (id),
	service_id  INTEGER NOT NULL REFERENCES services (id),
	PRIMARY KEY (incident_id, service_id)
);
CREATE INDEX incident_services_service ON incident_services (service_id, incident_id);

CREATE TABLE incident_roles (
	name        TEXT PRIMARY KEY,
	description TEXT NOT NULL DEFAULT '',
	builtin     INTEGER NOT NULL DEFAULT 0,
	created_at  TEXT NOT NULL
);
INSERT INTO incident_roles (name, description, builtin, created_at) VALUES
	('commander', 'Leads the response and makes the decisions', 1, strftime('%Y-%m-%dT%H:%M:%S', 'now') || '.000000Z'),
	('communications', 'Keeps stakeholders and customers informed', 1, strftime('%Y-%m-%dT%H:%M:%S', 'now') || '.000000Z'),
	('scribe', 'Records the timeline as it happens', 1, strftime('%Y-%m-%dT%H:%M:%S', 'now') || '.000000Z');

-- role is not a foreign key: removing a team-defined role from the catalog
-- keeps the assignment history intact.
CREATE TABLE role_assignments (
	id          INTEGER PRIMARY KEY,
	incident_id INTEGER NOT NULL REFERENCES incidents (id),
	role        TEXT NOT NULL,
	user_id     INTEGER NOT NULL REFERENCES users (id),
	assigned_by INTEGER REFERENCES users (id),
	assigned_at TEXT NOT NULL,
	ended_at    TEXT
);
CREATE INDEX role_assignments_incident ON role_assignments (incident_id, id);
-- One current holder per single-holder role, even under concurrent assigns.
CREATE UNIQUE INDEX role_assignments_single_holder ON role_assignments (incident_id, role)
	WHERE ended_at IS NULL AND role IN ('commander', 'communications', 'scribe');
CREATE UNIQUE INDEX role_assignments_current ON role_assignments (incident_id, role, user_id)
	WHERE ended_at IS NULL;

CREATE TABLE sop_templates (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	severities TEXT NOT NULL DEFAULT '[]',
	types      TEXT NOT NULL DEFAULT '[]',
	tasks      TEXT NOT NULL DEFAULT '[]',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- template_id is not a foreign key: a task keeps naming the SOP it came from
-- after the template is deleted.
CREATE TABLE tasks (
	id          INTEGER PRIMARY KEY,
	incident_id INTEGER NOT NULL REFERENCES incidents (id),
	title       TEXT NOT NULL,
	template_id INTEGER,
	position    INTEGER NOT NULL,
	assignee_id INTEGER REFERENCES users (id),
	done        INTEGER NOT NULL DEFAULT 0,
	done_at     TEXT,
	done_by     INTEGER REFERENCES users (id),
	created_at  TEXT NOT NULL
);
CREATE INDEX tasks_incident ON tasks (incident_id, position);

CREATE TABLE events (
	id          INTEGER PRIMARY KEY,
	incident_id INTEGER NOT NULL REFERENCES incidents (id),
	kind        TEXT NOT NULL,
	actor_id    INTEGER REFERENCES users (id),
	at          TEXT NOT NULL,
	text        TEXT NOT NULL DEFAULT '',
	visibility  TEXT NOT NULL DEFAULT 'internal',
	data        TEXT
);
CREATE INDEX events_incident ON events (incident_id, id);

CREATE TABLE settings (
	key        TEXT PRIMARY KEY,
	value      TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

CREATE TABLE audit_log (
	id          INTEGER PRIMARY KEY,
	at          TEXT NOT NULL,
	actor_id    INTEGER,
	action      TEXT NOT NULL,
	target_type TEXT NOT NULL,
	target_id   TEXT NOT NULL,
	data        TEXT,
	source_ip   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
