-- Intent: an escalation or SLA timer that fails to fire is deferred with
-- back-off and its error kept, instead of failing the whole batch on every
-- tick. failures counts consecutive failures (the back-off's exponent) and
-- is cleared by the next success; last_error says why for whoever looks.

-- +goose Up
ALTER TABLE escalations ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE escalations ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE sla_timers ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sla_timers ADD COLUMN last_error TEXT NOT NULL DEFAULT '';

