package store_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestTransitionIncident walks every (from, to) pair through the store: legal
// moves succeed with their event and audit row, illegal ones are refused
// with ECONFLICT and leave nothing behind.
func TestTransitionIncident(t *testing.T) {
	// paths reach each state from triggered.
	paths := map[warroom.State][]warroom.State{
		warroom.StateTriggered:     nil,
		warroom.StateAcknowledged:  {warroom.StateAcknowledged},
		warroom.StateInvestigating: {warroom.StateInvestigating},
		warroom.StateIdentified:    {warroom.StateIdentified},
		warroom.StateMitigated:     {warroom.StateMitigated},
		warroom.StateResolved:      {warroom.StateResolved},
		warroom.StateClosed:        {warroom.StateResolved, warroom.StateClosed},
	}
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		for _, from := range warroom.States {
			for _, to := range warroom.States {
				t.Run(string(from)+"->"+string(to), func(t *testing.T) {
					inc := e.declare(t, &warroom.Incident{Title: "x"})
					for _, s := range paths[from] {
						if _, err := e.db.TransitionIncident(e.ctx, inc.ID, s, ""); err != nil {
							t.Fatalf("reach %s: %v", s, err)
						}
					}
					before := len(e.events(t, inc.ID))
					got, err := e.db.TransitionIncident(e.ctx, inc.ID, to, "note "+string(to))
					if !from.CanTransition(to) {
						wantCode(t, err, warroom.ECONFLICT)
						if n := len(e.events(t, inc.ID)); n != before {
							t.Fatalf("events after refusal = %d, want %d", n, before)
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					if got.State != to {
						t.Fatalf("state = %s, want %s", got.State, to)
					}
					es := e.events(t, inc.ID, warroom.EventStateChanged)
					last := es[len(es)-1]
					var data map[string]string
					if err := json.Unmarshal(last.Data, &data); err != nil {
						t.Fatal(err)
					}
					if data["from"] != string(from) || data["to"] != string(to) || last.Text != "note "+string(to) {
						t.Fatalf("event = %s %q", last.Data, last.Text)
					}
				})
			}
		}
		if got, want := len(e.audits(t, warroom.AuditIncidentTransition)), countTransitions(paths); got != want {
			t.Fatalf("transition audit rows = %d, want %d", got, want)
		}
	})
}

func countTransitions(paths map[warroom.State][]warroom.State) int {
	n := 0
	for _, from := range warroom.States {
		for _, to := range warroom.States {
			n += len(paths[from])
			if from.CanTransition(to) {
				n++
			}
		}
	}
	return n
}

func TestTransitionStamps(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		inc := e.declare(t, &warroom.Incident{Title: "x"})
		step := func(to warroom.State) *warroom.Incident {
			t.Helper()
			e.clock.Add(time.Minute)
			got, err := e.db.TransitionIncident(e.ctx, inc.ID, to, "")
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		got := step(warroom.StateInvestigating)
		if got.AcknowledgedAt == nil || !got.AcknowledgedAt.Equal(e.clock.Now()) {
			t.Fatalf("acknowledged_at = %v, want implicit ack at %v", got.AcknowledgedAt, e.clock.Now())
		}
		ack := *got.AcknowledgedAt
		got = step(warroom.StateResolved)
		if got.ResolvedAt == nil || got.MitigatedAt == nil || !got.MitigatedAt.Equal(*got.ResolvedAt) || !got.AcknowledgedAt.Equal(ack) {
			t.Fatalf("stamps after resolve: ack %v mitigated %v resolved %v", got.AcknowledgedAt, got.MitigatedAt, got.ResolvedAt)
		}
		got = step(warroom.StateInvestigating)
		if got.ResolvedAt != nil {
			t.Fatalf("resolved_at = %v after reopening, want nil", got.ResolvedAt)
		}
		got = step(warroom.StateMitigated)
		if !got.MitigatedAt.Equal(e.clock.Now()) {
			t.Fatalf("mitigated_at = %v, want %v", got.MitigatedAt, e.clock.Now())
		}
		step(warroom.StateResolved)
		got = step(warroom.StateClosed)
		if got.ClosedAt == nil || !got.ClosedAt.Equal(e.clock.Now()) {
			t.Fatalf("closed_at = %v", got.ClosedAt)
		}
		t.Run("ErrInvalid", func(t *testing.T) {
			_, err := e.db.TransitionIncident(e.ctx, inc.ID, "sleeping", "")
			wantCode(t, err, warroom.EINVALID)
			wantField(t, err, "state")
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := e.db.TransitionIncident(e.ctx, 999, warroom.StateResolved, "")
			wantCode(t, err, warroom.ENOTFOUND)
		})
	})
}

func TestSetSeverity(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		t.Run("OK", func(t *testing.T) {
			e := newEnv(t, engine)
			major := &warroom.SOPTemplate{Name: "major", Severities: []warroom.Severity{warroom.P0, warroom.P1}, Tasks: []string{"notify execs", "status page"}}
			always := &warroom.SOPTemplate{Name: "any", Tasks: []string{"open channel"}}
			for _, tpl := range []*warroom.SOPTemplate{major, always} {
				if err := e.db.CreateSOPTemplate(e.ctx, tpl); err != nil {
					t.Fatal(err)
				}
			}
			inc := e.declare(t, &warroom.Incident{Title: "x"})
			if len(inc.Tasks) != 1 {
				t.Fatalf("tasks = %d, want 1", len(inc.Tasks))
			}
			got, err := e.db.SetSeverity(e.ctx, inc.ID, warroom.P1, "customers are calling")
			if err != nil {
				t.Fatal(err)
			}
			if got.Severity != warroom.P1 || got.ProposedSeverity != warroom.P4 {
				t.Fatalf("severity, proposed = %s, %s", got.Severity, got.ProposedSeverity)
			}
			if len(got.Tasks) != 3 || *got.Tasks[1].TemplateID != major.ID || got.Tasks[2].Position != 3 {
				t.Fatalf("tasks = %+v", got.Tasks)
			}
			// Back and forth does not instantiate the same SOP twice.
			if _, err := e.db.SetSeverity(e.ctx, inc.ID, warroom.P4, ""); err != nil {
				t.Fatal(err)
			}
			got, err = e.db.SetSeverity(e.ctx, inc.ID, warroom.P0, "worse")
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Tasks) != 3 {
				t.Fatalf("tasks = %d after returning to a major severity, want 3", len(got.Tasks))
			}
			es := e.events(t, inc.ID, warroom.EventSeverityChanged)
			if len(es) != 3 || es[0].Text != "customers are calling" {
				t.Fatalf("severity events = %+v", es)
			}
			if n := len(e.audits(t, warroom.AuditIncidentSeverity)); n != 3 {
				t.Fatalf("audit rows = %d, want 3", n)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			e := newEnv(t, engine)
			inc := e.declare(t, &warroom.Incident{Title: "x"})
			_, err := e.db.SetSeverity(e.ctx, inc.ID, warroom.P1, " ")
			wantCode(t, err, warroom.EINVALID)
			wantField(t, err, "reason")
			_, err = e.db.SetSeverity(e.ctx, inc.ID, "P9", "x")
			wantField(t, err, "severity")
			if n := len(e.audits(t, warroom.AuditIncidentSeverity)); n != 0 {
				t.Fatalf("audit rows = %d, want 0", n)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			e := newEnv(t, engine)
			_, err := e.db.SetSeverity(e.ctx, 3, warroom.P1, "x")
			wantCode(t, err, warroom.ENOTFOUND)
		})
		t.Run("ErrConflict", func(t *testing.T) {
			e := newEnv(t, engine)
			inc := e.declare(t, &warroom.Incident{Title: "x"})
			e.db.TransitionIncident(e.ctx, inc.ID, warroom.StateResolved, "")
			e.db.TransitionIncident(e.ctx, inc.ID, warroom.StateClosed, "")
			_, err := e.db.SetSeverity(e.ctx, inc.ID, warroom.P1, "x")
			wantCode(t, err, warroom.ECONFLICT)
		})
	})
}

func TestSLA(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		inc := e.declare(t, &warroom.Incident{Title: "x", Severity: warroom.P0})
		if inc.SLA.AckBreached || !inc.SLA.AckDue.Equal(inc.DetectedAt.Add(5*time.Minute)) {
			t.Fatalf("sla at declare = %+v", inc.SLA)
		}
		e.clock.Add(6 * time.Minute)
		got, err := e.db.FindIncidentByID(e.ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.SLA.AckBreached || got.SLA.ResolveBreached {
			t.Fatalf("sla after 6m = %+v, want ack breached only", got.SLA)
		}
		list, _, err := e.db.FindIncidents(e.ctx, warroom.IncidentFilter{})
		if err != nil || len(list) != 1 || list[0].SLA == nil || !list[0].SLA.AckBreached {
			t.Fatalf("list sla = %+v, %v", list, err)
		}
		// A late acknowledgement stays breached.
		got, _ = e.db.TransitionIncident(e.ctx, inc.ID, warroom.StateAcknowledged, "")
		if !got.SLA.AckBreached {
			t.Fatalf("sla after late ack = %+v", got.SLA)
		}
	})
}
