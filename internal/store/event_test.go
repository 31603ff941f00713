package store_test

import (
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestTimeline(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		inc := e.declare(t, &warroom.Incident{Title: "x"})
		var notes []*warroom.Event
		for _, n := range []warroom.NoteInput{
			{Text: "first"},
			{Kind: warroom.EventStatusUpdate, Text: "we are on it", Visibility: warroom.VisibilityPublic},
			{Text: "third"},
		} {
			ev, err := e.db.AddNote(e.ctx, inc.ID, n)
			if err != nil {
				t.Fatal(err)
			}
			notes = append(notes, ev)
		}
		t.Run("AddNote", func(t *testing.T) {
			if notes[0].Kind != warroom.EventNote || notes[0].Visibility != warroom.VisibilityInternal || notes[0].ActorName != e.admin.Name {
				t.Fatalf("note = %+v", notes[0])
			}
			if n := len(e.audits(t, warroom.AuditIncidentNote)); n != 3 {
				t.Fatalf("note audit rows = %d, want 3", n)
			}
		})
		t.Run("NewestFirst", func(t *testing.T) {
			es, n, err := e.db.FindEvents(e.ctx, warroom.EventFilter{IncidentID: inc.ID})
			if err != nil {
				t.Fatal(err)
			}
			if n != 4 || es[0].Text != "third" || es[3].Kind != warroom.EventDeclared || es[0].ActorName != e.admin.Name {
				t.Fatalf("events = %d total %d, first %+v", len(es), n, es[0])
			}
		})
		t.Run("Kinds", func(t *testing.T) {
			es, n, _ := e.db.FindEvents(e.ctx, warroom.EventFilter{IncidentID: inc.ID, Kinds: []warroom.EventKind{warroom.EventStatusUpdate}})
			if n != 1 || es[0].Text != "we are on it" || es[0].Visibility != warroom.VisibilityPublic {
				t.Fatalf("status updates = %+v", es)
			}
		})
		t.Run("AfterIDAscendingPaged", func(t *testing.T) {
			es, n, _ := e.db.FindEvents(e.ctx, warroom.EventFilter{IncidentID: inc.ID, AfterID: notes[0].ID, Ascending: true, Limit: 1})
			if n != 2 || len(es) != 1 || es[0].ID != notes[1].ID {
				t.Fatalf("after id = %+v total %d", es, n)
			}
			es, _, _ = e.db.FindEvents(e.ctx, warroom.EventFilter{IncidentID: inc.ID, AfterID: notes[0].ID, Ascending: true, Offset: 1, Limit: 1})
			if len(es) != 1 || es[0].ID != notes[2].ID {
				t.Fatalf("second page = %+v", es)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			_, _, err := e.db.FindEvents(e.ctx, warroom.EventFilter{IncidentID: inc.ID, Kinds: []warroom.EventKind{"gossip"}})
			wantCode(t, err, warroom.EINVALID)
			_, err = e.db.AddNote(e.ctx, inc.ID, warroom.NoteInput{Text: "x", Visibility: warroom.VisibilityPublic})
			wantField(t, err, "visibility")
			_, err = e.db.AddNote(e.ctx, inc.ID, warroom.NoteInput{Text: strings.Repeat("x", warroom.MaxTextLen+1)})
			wantField(t, err, "text")
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, _, err := e.db.FindEvents(e.ctx, warroom.EventFilter{IncidentID: 99})
			wantCode(t, err, warroom.ENOTFOUND)
			_, err = e.db.AddNote(e.ctx, 99, warroom.NoteInput{Text: "x"})
			wantCode(t, err, warroom.ENOTFOUND)
		})
		t.Run("ErrConflict", func(t *testing.T) {
			e.db.TransitionIncident(e.ctx, inc.ID, warroom.StateResolved, "")
			e.db.TransitionIncident(e.ctx, inc.ID, warroom.StateClosed, "")
			_, err := e.db.AddNote(e.ctx, inc.ID, warroom.NoteInput{Text: "late"})
			wantCode(t, err, warroom.ECONFLICT)
			if n := len(e.audits(t, warroom.AuditIncidentNote)); n != 3 {
				t.Fatalf("note audit rows = %d, want 3", n)
			}
		})
	})
}
