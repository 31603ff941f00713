-- Intent: identity and a tamper-evident audit log. Login failures and
-- lockout on users, SSO subjects, token kinds and scopes, teams owning
-- services (by name, as services.team already holds it), service grants for
-- scoped roles, the two-person rule's requests, and the audit hash chain:
-- each row's hash covers its content and the previous row's hash; the one
-- audit_chain row is updated in the same transaction as every append, which
-- serialises appends on PostgreSQL and lets deleting the newest rows show.

-- +goose Up
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until TEXT;
ALTER TABLE users ADD COLUMN oidc_issuer TEXT;
ALTER TABLE users ADD COLUMN oidc_subject TEXT;
CREATE UNIQUE INDEX users_oidc ON users (oidc_issuer, oidc_subject);

-- Tokens issued before scopes existed keep doing what they did.
ALTER TABLE api_tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'personal';
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'read,write,admin';

ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;

CREATE TABLE audit_chain (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	head_id   INTEGER NOT NULL DEFAULT 0,
	head_hash TEXT NOT NULL DEFAULT ''
);
INSERT INTO audit_chain (id, head_id, head_hash) VALUES (1, 0, '');

CREATE TABLE teams (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX teams_name ON teams (lower(name));

CREATE TABLE team_members (
	team_id  INTEGER NOT NULL REFERENCES teams (id),
	user_id  INTEGER NOT NULL REFERENCES users (id),
	added_at TEXT NOT NULL,
	PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

CREATE TABLE service_grants (
	user_id    INTEGER NOT NULL REFERENCES users (id),
	service_id INTEGER NOT NULL REFERENCES services (id),
	granted_by INTEGER REFERENCES users (id),
	granted_at TEXT NOT NULL,
	PRIMARY KEY (user_id, service_id)
);

CREATE TABLE approvals (
	id           INTEGER PRIMARY KEY,
	op           TEXT NOT NULL,
	params       TEXT NOT NULL,
	reason       TEXT NOT NULL DEFAULT '',
	state        TEXT NOT NULL,
	requested_by INTEGER NOT NULL REFERENCES users (id),
	requested_at TEXT NOT NULL,
	expires_at   TEXT NOT NULL,
	decided_by   INTEGER REFERENCES users (id),
	decided_at   TEXT
);
CREATE INDEX approvals_state ON approvals (state, id);
