-- Intent: telling people. Stakeholder groups and the scope rules that say
-- which groups hear of which incidents; templated status updates and the
-- "next update by" timer; the public status page (branding, components and
-- their history, public incidents and updates, maintenance); subscribers;
-- and the durable outbox of notices and deliveries worked after commit.
-- Instants are fixed-width ISO-8601 UTC text, as everywhere on SQLite.

-- +goose Up
CREATE TABLE stakeholder_groups (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	description TEXT NOT NULL DEFAULT '',
	channels    TEXT NOT NULL DEFAULT '[]',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
);

CREATE TABLE stakeholder_members (
	group_id INTEGER NOT NULL REFERENCES stakeholder_groups (id) ON DELETE CASCADE,
	user_id  INTEGER NOT NULL REFERENCES users (id),
	PRIMARY KEY (group_id, user_id)
);

CREATE TABLE scope_rules (
	id       INTEGER PRIMARY KEY,
	position INTEGER NOT NULL,
	severity TEXT NOT NULL DEFAULT '',
	type     TEXT NOT NULL DEFAULT '',
	group_id INTEGER NOT NULL REFERENCES stakeholder_groups (id) ON DELETE CASCADE,
	triggers TEXT NOT NULL
);

CREATE TABLE status_updates (
	id             INTEGER PRIMARY KEY,
	incident_id    INTEGER NOT NULL REFERENCES incidents (id),
	audience       TEXT NOT NULL,
	what_happened  TEXT NOT NULL,
	impact         TEXT NOT NULL DEFAULT '',
	actions        TEXT NOT NULL DEFAULT '',
	next_update_by TEXT,
	public_status  TEXT NOT NULL DEFAULT '',
	public_title   TEXT NOT NULL DEFAULT '',
	components     TEXT NOT NULL DEFAULT '[]',
	author_id      INTEGER REFERENCES users (id),
	created_at     TEXT NOT NULL
);
CREATE INDEX status_updates_incident ON status_updates (incident_id, id);

-- One "next update by" timer per incident: a new promise replaces the old.
CREATE TABLE status_timers (
	incident_id INTEGER PRIMARY KEY REFERENCES incidents (id),
	due_at      TEXT NOT NULL,
	reminded_at TEXT
);
CREATE INDEX status_timers_due ON status_timers (due_at) WHERE reminded_at IS NULL;

-- The one row of page settings. version changes with everything the public
-- page shows, so that caches on every instance know when to drop a page;
-- event_cursor is the last timeline event turned into notices.
CREATE TABLE status_page (
	id           INTEGER PRIMARY KEY CHECK (id = 1),
	name         TEXT NOT NULL,
	logo_url     TEXT NOT NULL DEFAULT '',
	accent_color TEXT NOT NULL,
	public_url   TEXT NOT NULL DEFAULT '',
	version      INTEGER NOT NULL,
	event_cursor INTEGER NOT NULL,
	updated_at   TEXT NOT NULL
);
INSERT INTO status_page (id, name, accent_color, version, event_cursor, updated_at)
	SELECT 1, 'Service status', '#1f6feb', 1, COALESCE(MAX(id), 0), strftime('%Y-%m-%dT%H:%M:%S', 'now') || '.000000Z' FROM events;

CREATE TABLE components (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	description TEXT NOT NULL DEFAULT '',
	group_name  TEXT NOT NULL DEFAULT '',
	service_id  INTEGER REFERENCES services (id),
	status      TEXT NOT NULL,
	position    INTEGER NOT NULL DEFAULT 0,
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
);

CREATE TABLE component_status_changes (
	id           INTEGER PRIMARY KEY,
	component_id INTEGER NOT NULL REFERENCES components (id) ON DELETE CASCADE,
	status       TEXT NOT NULL,
	at           TEXT NOT NULL
);
CREATE INDEX component_status_changes_at ON component_status_changes (at);
CREATE INDEX component_status_changes_component ON component_status_changes (component_id, at);

CREATE TABLE public_incidents (
	id          INTEGER PRIMARY KEY,
	incident_id INTEGER NOT NULL UNIQUE REFERENCES incidents (id),
	title       TEXT NOT NULL,
	status      TEXT NOT NULL,
	impact      TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL,
	resolved_at TEXT
);
CREATE INDEX public_incidents_created ON public_incidents (created_at);

CREATE TABLE public_incident_components (
	public_incident_id INTEGER NOT NULL REFERENCES public_incidents (id),
	component_id       INTEGER NOT NULL REFERENCES components (id) ON DELETE CASCADE,
	PRIMARY KEY (public_incident_id, component_id)
);

CREATE TABLE public_updates (
	id                 INTEGER PRIMARY KEY,
	public_incident_id INTEGER NOT NULL REFERENCES public_incidents (id),
	status             TEXT NOT NULL,
	what_happened      TEXT NOT NULL,
	impact             TEXT NOT NULL DEFAULT '',
	actions            TEXT NOT NULL DEFAULT '',
	next_update_by     TEXT,
	created_at         TEXT NOT NULL
);
CREATE INDEX public_updates_incident ON public_updates (public_incident_id, id);

CREATE TABLE maintenances (
	id           INTEGER PRIMARY KEY,
	title        TEXT NOT NULL,
	body         TEXT NOT NULL DEFAULT '',
	starts_at    TEXT NOT NULL,
	ends_at      TEXT NOT NULL,
	cancelled_at TEXT,
	created_at   TEXT NOT NULL
);
CREATE INDEX maintenances_ends ON maintenances (ends_at);

CREATE TABLE maintenance_components (
	maintenance_id INTEGER NOT NULL REFERENCES maintenances (id),
	component_id   INTEGER NOT NULL REFERENCES components (id) ON DELETE CASCADE,
	PRIMARY KEY (maintenance_id, component_id)
);

CREATE TABLE subscribers (
	id           INTEGER PRIMARY KEY,
	kind         TEXT NOT NULL,
	target       TEXT NOT NULL,
	locale       TEXT NOT NULL,
	token        TEXT NOT NULL UNIQUE,
	secret       TEXT NOT NULL DEFAULT '',
	confirmed_at TEXT,
	created_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX subscribers_target ON subscribers (kind, lower(target));

CREATE TABLE subscriber_components (
	subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	component_id  INTEGER NOT NULL REFERENCES components (id) ON DELETE CASCADE,
	PRIMARY KEY (subscriber_id, component_id)
);

-- References in notices are plain integers: a notice outlives a deleted
-- subscriber or maintenance and simply fans out to nobody.
CREATE TABLE notices (
	id               INTEGER PRIMARY KEY,
	kind             TEXT NOT NULL,
	incident_id      INTEGER NOT NULL DEFAULT 0,
	status_update_id INTEGER NOT NULL DEFAULT 0,
	subscriber_id    INTEGER NOT NULL DEFAULT 0,
	maintenance_id   INTEGER NOT NULL DEFAULT 0,
	event_id         INTEGER NOT NULL DEFAULT 0,
	created_at       TEXT NOT NULL,
	done_at          TEXT
);
CREATE INDEX notices_pending ON notices (id) WHERE done_at IS NULL;
-- A timeline event becomes at most one notice, however often it is scanned.
CREATE UNIQUE INDEX notices_event ON notices (event_id) WHERE event_id > 0;

CREATE TABLE deliveries (
	id              INTEGER PRIMARY KEY,
	notice_id       INTEGER NOT NULL REFERENCES notices (id),
	channel         TEXT NOT NULL,
	target          TEXT NOT NULL,
	subject         TEXT NOT NULL DEFAULT '',
	body            TEXT NOT NULL,
	headers         TEXT NOT NULL DEFAULT '{}',
	secret          TEXT NOT NULL DEFAULT '',
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TEXT NOT NULL,
	delivered_at    TEXT,
	failed_at       TEXT,
	last_error      TEXT NOT NULL DEFAULT '',
	created_at      TEXT NOT NULL
);
CREATE INDEX deliveries_notice ON deliveries (notice_id);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
