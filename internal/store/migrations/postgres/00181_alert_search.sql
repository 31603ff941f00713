-- Intent: searching alerts (`q`) reads an index instead of every alert: a
-- year is a million alerts, and a LIKE over all of them took seconds.
-- pg_trgm GIN indexes on the summary and the dedup key serve ILIKE
-- '%term%' for any substring of three or more characters, as the incident
-- search does; shorter terms still scan.

-- +goose Up
CREATE INDEX alerts_summary_trgm ON alerts USING gin (summary gin_trgm_ops);
CREATE INDEX alerts_dedup_key_trgm ON alerts USING gin (dedup_key gin_trgm_ops);
