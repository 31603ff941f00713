-- Intent: the alerts of one service with a status (the firing alerts of a
-- service, the default view at 3 a.m.) are read from one index, newest
-- first, and counted from it alone; with only (service_id, id) every alert
-- of the service was read to check its status.

-- +goose Up
CREATE INDEX alerts_service_status ON alerts (service_id, status, id);
