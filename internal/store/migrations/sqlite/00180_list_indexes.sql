-- Intent: lists that a year on file made slow read an index instead. The
-- change list, newest first by when a change begins (it ran, else it is
-- planned, else it was recorded), walks changes_begins a page at a time
-- instead of sorting every change on file for each page; a postmortem's
-- action items are found by their postmortem instead of by reading every
-- action item.

-- +goose Up
CREATE INDEX changes_begins ON changes ((COALESCE(started_at, planned_start, created_at)), id);
CREATE INDEX action_items_postmortem ON action_items (postmortem_id, id);
