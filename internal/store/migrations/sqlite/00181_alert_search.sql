-- Intent: searching alerts (`q`) reads an index instead of every alert: a
-- year is a million alerts, and a LIKE over all of them took seconds. An
-- FTS5 trigram index over the summary and the dedup key finds any
-- substring of three or more characters, as the incident search does
-- (Chinese has no word boundaries); shorter terms still scan. It follows
-- the alerts table through triggers, whatever code path writes an alert;
-- a dedup that keeps the summary does not touch it.

-- +goose Up
CREATE VIRTUAL TABLE alerts_fts USING fts5(summary, dedup_key, content='alerts', content_rowid='id', tokenize='trigram');

-- +goose StatementBegin
CREATE TRIGGER alerts_fts_ai AFTER INSERT ON alerts BEGIN
	INSERT INTO alerts_fts (rowid, summary, dedup_key) VALUES (new.id, new.summary, new.dedup_key);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER alerts_fts_ad AFTER DELETE ON alerts BEGIN
	INSERT INTO alerts_fts (alerts_fts, rowid, summary, dedup_key) VALUES ('delete', old.id, old.summary, old.dedup_key);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER alerts_fts_au AFTER UPDATE OF summary, dedup_key ON alerts
WHEN old.summary IS NOT new.summary OR old.dedup_key IS NOT new.dedup_key BEGIN
	INSERT INTO alerts_fts (alerts_fts, rowid, summary, dedup_key) VALUES ('delete', old.id, old.summary, old.dedup_key);
	INSERT INTO alerts_fts (rowid, summary, dedup_key) VALUES (new.id, new.summary, new.dedup_key);
END;
-- +goose StatementEnd

INSERT INTO alerts_fts (alerts_fts) VALUES ('rebuild');
