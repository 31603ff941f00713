-- Intent: every filter the alert list offers is served by an index. The
-- status and integration filters had none, so with millions of alerts each
-- page (and its total) read the whole table.

-- +goose Up
CREATE INDEX alerts_status ON alerts (status, id);
CREATE INDEX alerts_integration ON alerts (integration_id, id);
