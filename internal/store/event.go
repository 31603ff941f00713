package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/warroomhq/warroom"
)

var _ warroom.TimelineService = (*DB)(nil)

// addEvent appends an event to an incident's timeline, attributed to the
// user in ctx.
func addEvent(ctx context.Context, tx *tx, incidentID int64, kind warroom.EventKind, text string, vis warroom.Visibility, data any) (*warroom.Event, error) {
	d, err := jsonData(data)
	if err != nil {
		return nil, err
	}
	if vis == "" {
		vis = warroom.VisibilityInternal
	}
	e := &warroom.Event{IncidentID: incidentID, Kind: kind, ActorID: warroom.UserIDFromContext(ctx), At: tx.now, Text: text, Visibility: vis}
	if u := warroom.UserFromContext(ctx); u != nil {
		e.ActorName = u.Name
	}
	if d != nil {
		e.Data = json.RawMessage(d.(string))
	}
	e.ID, err = tx.insert(ctx, `INSERT INTO events (incident_id, kind, actor_id, at, text, visibility, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		incidentID, string(kind), nullID(e.ActorID), tx.now, text, string(vis), d)
	if err != nil {
		return nil, fmt.Errorf("add event: %w", err)
	}
	if err := enqueueHooks(ctx, tx, e.ID); err != nil {
		return nil, err
	}
	return e, nil
}

// newEvent is one event of a batch added by addEvents.
type newEvent struct {
	kind warroom.EventKind
	text string
	data any
}

// addEvents appends internal events to an incident's timeline in one
// statement, in order, attributed to the user in ctx.
func addEvents(ctx context.Context, tx *tx, incidentID int64, evs []newEvent) error {
	if len(evs) == 0 {
		return nil
	}
	actor := nullID(warroom.UserIDFromContext(ctx))
	args := make([]any, 0, 7*len(evs))
	for _, e := range evs {
		d, err := jsonData(e.data)
		if err != nil {
			return err
		}
		args = append(args, incidentID, string(e.kind), actor, tx.now, e.text, string(warroom.VisibilityInternal), d)
	}
	// The IDs come back so that the events' webhook deliveries are queued
	// in this transaction too.
	ids, err := selectIDs(ctx, tx, `INSERT INTO events (incident_id, kind, actor_id, at, text, visibility, data) VALUES `+rowPlaceholders(len(evs), 7)+` RETURNING id`, args...)
	if err != nil {
		return fmt.Errorf("add events: %w", err)
	}
	return enqueueHooks(ctx, tx, ids...)
}

// FindEvents returns a page of an incident's events and the total.
func (db *DB) FindEvents(ctx context.Context, filter warroom.EventFilter) ([]*warroom.Event, int, error) {
	for _, k := range filter.Kinds {
		if !k.Valid() {
			return nil, 0, warroom.FieldErrorf("kind", "unknown event kind %q", k)
		}
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.rollback()
	if err := incidentExists(ctx, tx, filter.IncidentID); err != nil {
		return nil, 0, err
	}
	events, n, err := findEvents(ctx, tx, filter)
	if err != nil {
		return nil, 0, err
	}
	return events, n, tx.commit()
}

func findEvents(ctx context.Context, tx *tx, filter warroom.EventFilter) ([]*warroom.Event, int, error) {
	where, args := []string{"e.incident_id = ?"}, []any{filter.IncidentID}
	if len(filter.Kinds) > 0 {
		where = append(where, "e.kind IN ("+placeholders(len(filter.Kinds))+")")
		for _, k := range filter.Kinds {
			args = append(args, string(k))
		}
	}
	if filter.AfterID > 0 {
		where, args = append(where, "e.id > ?"), append(args, filter.AfterID)
	}
	order := "DESC"
	if filter.Ascending {
		order = "ASC"
	}
	offset, limit := pageLimits(filter.Offset, filter.Limit)
	cond := strings.Join(where, " AND ")
	rows, err := tx.query(ctx, `SELECT e.id, e.incident_id, e.kind, e.actor_id, COALESCE(u.name, ''), e.at, e.text, e.visibility, e.data, COUNT(*) OVER()
		FROM events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE `+cond+` ORDER BY e.id `+order+` LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("find events: %w", err)
	}
	defer rows.Close()
	events, n := []*warroom.Event{}, 0
	for rows.Next() {
		var e warroom.Event
		var data *string
		if err := rows.Scan(&e.ID, &e.IncidentID, &e.Kind, scanID(&e.ActorID), &e.ActorName, scanTime(&e.At), &e.Text, &e.Visibility, &data, &n); err != nil {
			return nil, 0, fmt.Errorf("find events: %w", err)
		}
		if data != nil {
			e.Data = json.RawMessage(*data)
		}
		events = append(events, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find events: %w", err)
	}
	if len(events) == 0 && offset > 0 {
		if n, err = count(ctx, tx, "SELECT COUNT(*) FROM events e WHERE "+cond, args...); err != nil {
			return nil, 0, err
		}
	}
	return events, n, nil
}

// AddNote adds a note or status update.
func (db *DB) AddNote(ctx context.Context, incidentID int64, note warroom.NoteInput) (*warroom.Event, error) {
	if err := note.Validate(); err != nil {
		return nil, err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.rollback()
	if _, err := openIncidentForChange(ctx, tx, incidentID); err != nil {
		return nil, err
	}
	e, err := addEvent(ctx, tx, incidentID, note.Kind, note.Text, note.Visibility, nil)
	if err != nil {
		return nil, err
	}
	if err := touchIncident(ctx, tx, incidentID); err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, tx, warroom.AuditIncidentNote, "incident", incidentID, map[string]any{
		"event_id": e.ID, "kind": note.Kind, "visibility": note.Visibility,
	}); err != nil {
		return nil, err
	}
	return e, tx.commit()
}
