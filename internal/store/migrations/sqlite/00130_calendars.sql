-- Intent: working calendars. A calendar names a built-in region (whose
-- holidays and make-up workdays come with the binary) and a time zone;
-- calendar_days are its own dated days, imported or added, which win over
-- the region's on the same date. Dates are civil dates in the calendar's
-- zone, "2026-10-01", so they compare as text.

-- +goose Up
CREATE TABLE calendars (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	region     TEXT NOT NULL DEFAULT '',
	time_zone  TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

CREATE TABLE calendar_days (
	calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
	day         TEXT NOT NULL,
	kind        TEXT NOT NULL,
	name        TEXT NOT NULL DEFAULT '',
	local_name  TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (calendar_id, day)
);

-- +goose Down
DROP TABLE calendar_days;
DROP TABLE calendars;
