-- Intent: drills kept apart from the real world. drill_participants are the
-- people a drill incident may page or tell; anyone else is left alone.
-- status_updates.real_world marks the one public update a person chose to
-- send out of a drill. Game-day scenarios admins write are kept as their
-- JSON document; built-in ones live in the code. A drill run is a scenario
-- played on services: its steps are durable timers (drill_run_steps.due_at)
-- that the engine fires, so a restart or a second instance loses none.

-- +goose Up
CREATE TABLE drill_participants (
	incident_id INTEGER NOT NULL REFERENCES incidents (id),
	user_id     INTEGER NOT NULL REFERENCES users (id),
	PRIMARY KEY (incident_id, user_id)
);
ALTER TABLE status_updates ADD COLUMN real_world INTEGER NOT NULL DEFAULT 0;

CREATE TABLE drill_scenarios (
	slug       TEXT PRIMARY KEY,
	document   TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

CREATE TABLE drill_runs (
	id            INTEGER PRIMARY KEY,
	scenario_slug TEXT NOT NULL,
	scenario      TEXT NOT NULL,
	service_ids   TEXT NOT NULL DEFAULT '[]',
	participants  TEXT NOT NULL DEFAULT '[]',
	state         TEXT NOT NULL,
	starts_at     TEXT NOT NULL,
	started_at    TEXT,
	paused_at     TEXT,
	ended_at      TEXT,
	incident_id   INTEGER REFERENCES incidents (id),
	created_by    INTEGER REFERENCES users (id),
	created_at    TEXT NOT NULL
);
CREATE INDEX drill_runs_due ON drill_runs (state, starts_at);
CREATE UNIQUE INDEX drill_runs_incident ON drill_runs (incident_id);

CREATE TABLE drill_run_steps (
	run_id  INTEGER NOT NULL REFERENCES drill_runs (id),
	idx     INTEGER NOT NULL,
	due_at  TEXT,
	done_at TEXT,
	PRIMARY KEY (run_id, idx)
);
CREATE INDEX drill_run_steps_due ON drill_run_steps (due_at);

-- +goose Down
DROP TABLE drill_run_steps;
DROP TABLE drill_runs;
DROP TABLE drill_scenarios;
ALTER TABLE status_updates DROP COLUMN real_world;
DROP TABLE drill_participants;
