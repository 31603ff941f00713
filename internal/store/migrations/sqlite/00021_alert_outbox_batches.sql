-- Intent: one alert outbox row per ingest transaction instead of one per
-- alert. A storm of a thousand alerts committed together then costs one
-- outbox row, not a thousand. entries lists the alert IDs in order, a
-- negative ID meaning the alert resolved.

-- +goose Up
CREATE TABLE alert_outbox_new (
	id      INTEGER PRIMARY KEY,
	entries TEXT NOT NULL,
	at      TEXT NOT NULL
);
INSERT INTO alert_outbox_new (entries, at)
	SELECT CASE WHEN action = 'resolve' THEN '-' || CAST(alert_id AS TEXT) ELSE CAST(alert_id AS TEXT) END, at
	FROM alert_outbox ORDER BY id;
DROP TABLE alert_outbox;
ALTER TABLE alert_outbox_new RENAME TO alert_outbox;
