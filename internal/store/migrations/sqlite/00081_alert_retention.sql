-- Intent: retention deletes resolved alerts that joined no incident once
-- they are older than the configured age, oldest first, in small batches;
-- this index finds them without reading the alerts that stay.

-- +goose Up
CREATE INDEX alerts_purge ON alerts (resolved_at) WHERE incident_id IS NULL AND resolved_at IS NOT NULL;
