-- Intent: the audit chain MACed with a key kept outside the database.
-- key_check is a MAC of a fixed text with that key: empty while the chain
-- is the unkeyed SHA-256 of old, so that the first start with a key re-MACs
-- it once, and a start with another key is refused. checkpoint_due is when
-- the next scheduled checkpoint of the chain head is to be written out.

-- +goose Up
ALTER TABLE audit_chain ADD COLUMN key_check TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_chain ADD COLUMN checkpoint_due TEXT;

-- +goose Down
ALTER TABLE audit_chain DROP COLUMN checkpoint_due;
ALTER TABLE audit_chain DROP COLUMN key_check;
