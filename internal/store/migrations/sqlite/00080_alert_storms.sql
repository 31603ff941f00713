-- Intent: alert storms. Alerts keep the sender's own group key (an
-- Alertmanager groupKey, a PagerDuty dedup_key) so that routing can hold one
-- upstream group to one incident by default; a flapping mark; why routing
-- last failed for an alert and how often, so that one bad alert is retried
-- alone instead of failing its whole pass. Outbox rows of retried alerts
-- wait until not_before. Routing rules say how they group (existing rules
-- that grouped by labels keep doing so). Services carry their storm control:
-- whether the last resolved alert resolves the incident, flap detection and
-- the storm guard, with the defaults a new service gets.

-- +goose Up
ALTER TABLE alerts ADD COLUMN group_key TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN flapping INTEGER NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN routing_error TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN routing_failures INTEGER NOT NULL DEFAULT 0;
-- Flap detection counts the recent alerts of one key.
CREATE INDEX alerts_key_seen ON alerts (scope, dedup_key, first_seen_at);
ALTER TABLE alert_outbox ADD COLUMN not_before TEXT;
ALTER TABLE routing_rules ADD COLUMN group_mode TEXT NOT NULL DEFAULT 'upstream';
UPDATE routing_rules SET group_mode = 'labels' WHERE group_by <> '[]';
ALTER TABLE services ADD COLUMN resolve_with_alerts INTEGER NOT NULL DEFAULT 1;
ALTER TABLE services ADD COLUMN flap_threshold INTEGER NOT NULL DEFAULT 5;
ALTER TABLE services ADD COLUMN flap_window_seconds INTEGER NOT NULL DEFAULT 3600;
ALTER TABLE services ADD COLUMN storm_threshold INTEGER NOT NULL DEFAULT 20;
ALTER TABLE services ADD COLUMN storm_window_seconds INTEGER NOT NULL DEFAULT 300;
