-- Intent: invitations. An admin invites an email with a role; the person
-- sets their own name and password through a single-use, expiring link.
-- Only the SHA-256 of the link's secret is kept, like API tokens.

-- +goose Up
CREATE TABLE invites (
	id          INTEGER PRIMARY KEY,
	secret_hash TEXT NOT NULL,
	email       TEXT NOT NULL,
	role        TEXT NOT NULL,
	invited_by  INTEGER REFERENCES users (id),
	created_at  TEXT NOT NULL,
	expires_at  TEXT NOT NULL,
	accepted_at TEXT,
	user_id     INTEGER REFERENCES users (id),
	revoked_at  TEXT
);
CREATE UNIQUE INDEX invites_secret ON invites (secret_hash);

-- +goose Down
DROP TABLE invites;
