-- Intent: learning from incidents. Blameless postmortems (one per incident)
-- with their 5-whys chain, imported timeline and named reviewers; the
-- admin-editable templates they start from; action items tracked to done;
-- and the durable record of every reminder sent about late work, unique
-- per target and recipient so that a restart never sends one twice.

-- +goose Up
CREATE TABLE postmortem_templates (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	is_default INTEGER NOT NULL DEFAULT 0,
	summary    TEXT NOT NULL DEFAULT '',
	went_well  TEXT NOT NULL DEFAULT '',
	went_badly TEXT NOT NULL DEFAULT '',
	got_lucky  TEXT NOT NULL DEFAULT '',
	lessons    TEXT NOT NULL DEFAULT '',
	whys       TEXT NOT NULL DEFAULT '[]',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX postmortem_templates_default ON postmortem_templates (is_default) WHERE is_default = 1;
INSERT INTO postmortem_templates (name, is_default, summary, went_well, went_badly, got_lucky, lessons, whys, created_at, updated_at) VALUES
	('Standard', 1,
	 'What happened, who was affected and for how long. Describe systems and decisions, not people.',
	 '', '', '', '',
	 '["Why did the service fail?","Why was that possible?","Why was it not caught earlier?","Why did the safeguard not exist?","Why was that gap accepted?"]',
	 strftime('%Y-%m-%dT%H:%M:%S', 'now') || '.000000Z', strftime('%Y-%m-%dT%H:%M:%S', 'now') || '.000000Z');

-- template_id is not a foreign key: deleting a template keeps the
-- postmortems written from it.
CREATE TABLE postmortems (
	id                   INTEGER PRIMARY KEY,
	incident_id          INTEGER NOT NULL UNIQUE REFERENCES incidents (id),
	status               TEXT NOT NULL,
	template_id          INTEGER,
	summary              TEXT NOT NULL DEFAULT '',
	cause_category       TEXT NOT NULL DEFAULT '',
	cause_subcategory    TEXT NOT NULL DEFAULT '',
	contributing_factors TEXT NOT NULL DEFAULT '[]',
	went_well            TEXT NOT NULL DEFAULT '',
	went_badly           TEXT NOT NULL DEFAULT '',
	got_lucky            TEXT NOT NULL DEFAULT '',
	lessons              TEXT NOT NULL DEFAULT '',
	author_id            INTEGER REFERENCES users (id),
	due_at               TEXT,
	submitted_at         TEXT,
	published_at         TEXT,
	created_at           TEXT NOT NULL,
	updated_at           TEXT NOT NULL
);
-- The reminder scan reads unpublished postmortems by due date.
CREATE INDEX postmortems_status_due ON postmortems (status, due_at);

CREATE TABLE postmortem_whys (
	id            INTEGER PRIMARY KEY,
	postmortem_id INTEGER NOT NULL REFERENCES postmortems (id),
	position      INTEGER NOT NULL,
	question      TEXT NOT NULL,
	answer        TEXT NOT NULL DEFAULT '',
	evidence      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX postmortem_whys_postmortem ON postmortem_whys (postmortem_id, position);

CREATE TABLE postmortem_timeline (
	id            INTEGER PRIMARY KEY,
	postmortem_id INTEGER NOT NULL REFERENCES postmortems (id),
	event_id      INTEGER NOT NULL,
	at            TEXT NOT NULL,
	kind          TEXT NOT NULL,
	actor         TEXT NOT NULL DEFAULT '',
	text          TEXT NOT NULL DEFAULT '',
	moment        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX postmortem_timeline_postmortem ON postmortem_timeline (postmortem_id, at, event_id);

CREATE TABLE postmortem_reviews (
	postmortem_id INTEGER NOT NULL REFERENCES postmortems (id),
	user_id       INTEGER NOT NULL REFERENCES users (id),
	decision      TEXT NOT NULL,
	comment       TEXT NOT NULL DEFAULT '',
	decided_at    TEXT,
	PRIMARY KEY (postmortem_id, user_id)
);

CREATE TABLE action_items (
	id            INTEGER PRIMARY KEY,
	incident_id   INTEGER NOT NULL REFERENCES incidents (id),
	postmortem_id INTEGER REFERENCES postmortems (id),
	title         TEXT NOT NULL,
	description   TEXT NOT NULL DEFAULT '',
	owner_id      INTEGER NOT NULL REFERENCES users (id),
	due_date      TEXT NOT NULL,
	priority      TEXT NOT NULL,
	kind          TEXT NOT NULL,
	status        TEXT NOT NULL,
	links         TEXT NOT NULL DEFAULT '[]',
	source_type   TEXT NOT NULL DEFAULT '',
	source_id     INTEGER NOT NULL DEFAULT 0,
	created_by    INTEGER REFERENCES users (id),
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL,
	done_at       TEXT
);
CREATE INDEX action_items_owner ON action_items (owner_id, status, due_date);
CREATE INDEX action_items_incident ON action_items (incident_id, id);
CREATE INDEX action_items_status_due ON action_items (status, due_date);

CREATE TABLE reminders (
	id           INTEGER PRIMARY KEY,
	kind         TEXT NOT NULL,
	target_type  TEXT NOT NULL,
	target_id    INTEGER NOT NULL,
	incident_id  INTEGER NOT NULL REFERENCES incidents (id),
	recipient_id INTEGER NOT NULL REFERENCES users (id),
	text         TEXT NOT NULL,
	due_at       TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	delivered_at TEXT,
	UNIQUE (kind, target_type, target_id, recipient_id)
);
CREATE INDEX reminders_recipient ON reminders (recipient_id, id);

-- The postmortem scan looks only at recently resolved incidents.
CREATE INDEX incidents_resolved ON incidents (resolved_at);
