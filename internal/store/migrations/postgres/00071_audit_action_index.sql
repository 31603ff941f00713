-- Intent: the audit log's action filter is served by an index. The log
-- only grows, and filtering it by action read the whole table per page.

-- +goose Up
CREATE INDEX audit_log_action ON audit_log (action, id);
