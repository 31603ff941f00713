-- Intent: full-text search over incidents, notes, status updates and
-- postmortems, in Chinese and English. search_docs holds one row per
-- searchable text; an FTS5 index with the trigram tokenizer finds any
-- substring of three or more characters, which works without word
-- boundaries (Chinese has none). Triggers keep incidents and notes indexed
-- whatever code path writes them; postmortems are indexed by the store.

-- +goose Up
CREATE TABLE search_docs (
	id          INTEGER PRIMARY KEY,
	doc_type    TEXT NOT NULL,
	incident_id INTEGER NOT NULL REFERENCES incidents (id),
	ref_id      INTEGER NOT NULL,
	title       TEXT NOT NULL DEFAULT '',
	body        TEXT NOT NULL DEFAULT '',
	at          TEXT NOT NULL,
	UNIQUE (doc_type, ref_id)
);
CREATE INDEX search_docs_incident ON search_docs (incident_id);
-- Searches rank the newest matches.
CREATE INDEX search_docs_at ON search_docs (at, id);

CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_docs', content_rowid='id', tokenize='trigram');

-- +goose StatementBegin
CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN
	INSERT INTO search_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
	INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs BEGIN
	INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
	INSERT INTO search_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_incident_ai AFTER INSERT ON incidents BEGIN
	INSERT INTO search_docs (doc_type, incident_id, ref_id, title, body, at)
	VALUES ('incident', new.id, new.id, new.title, new.summary, new.detected_at);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_incident_au AFTER UPDATE OF title, summary ON incidents
WHEN old.title IS NOT new.title OR old.summary IS NOT new.summary BEGIN
	UPDATE search_docs SET title = new.title, body = new.summary WHERE doc_type = 'incident' AND ref_id = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_event_ai AFTER INSERT ON events WHEN new.kind IN ('note', 'status_update') BEGIN
	INSERT INTO search_docs (doc_type, incident_id, ref_id, title, body, at)
	VALUES (new.kind, new.incident_id, new.id, '', new.text, new.at);
END;
-- +goose StatementEnd

INSERT INTO search_docs (doc_type, incident_id, ref_id, title, body, at)
	SELECT 'incident', id, id, title, summary, detected_at FROM incidents;
INSERT INTO search_docs (doc_type, incident_id, ref_id, title, body, at)
	SELECT kind, incident_id, id, '', text, at FROM events WHERE kind IN ('note', 'status_update');
