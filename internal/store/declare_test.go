package store_test

import (
	"encoding/json"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestDeclareIncidentReturnsStored checks that the incident a declaration
// returns, built from what it wrote, is the one a read returns, and that
// the declaration wrote its paging: an escalation per policy and the SLA
// timers.
func TestDeclareIncidentReturnsStored(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		// Created in reverse name order: services come back by name.
		web, api := e.service(t, "web"), e.service(t, "api")
		for _, tmpl := range warroom.DefaultSOPTemplates() {
			if err := e.db.CreateSOPTemplate(e.ctx, tmpl); err != nil {
				t.Fatal(err)
			}
		}
		p := &warroom.EscalationPolicy{Name: "core", Levels: []warroom.EscalationLevel{
			{DelaySeconds: 300, Targets: []warroom.EscalationTarget{{Type: warroom.TargetUser, ID: e.admin.ID}}},
		}}
		if err := e.db.CreateEscalationPolicy(e.ctx, p); err != nil {
			t.Fatal(err)
		}
		// Both services page the same policy: one escalation.
		for _, s := range []*warroom.Service{web, api} {
			if err := e.db.SetServiceEscalationPolicy(e.ctx, s.ID, p.ID); err != nil {
				t.Fatal(err)
			}
		}
		recovery := false
		for _, tc := range []struct {
			name  string
			inc   *warroom.Incident
			tasks int
			esc   int
		}{
			{"OK", &warroom.Incident{Title: "data gone", Type: warroom.TypeDataLoss, ServiceIDs: []int64{web.ID, api.ID, web.ID},
				Impact: warroom.Impact{UsersAffected: 20_000, RecoveryPathAvailable: &recovery}}, 11, 1},
			{"Override", &warroom.Incident{Title: "slow", Severity: warroom.P4, Impact: warroom.Impact{UsersAffected: 200}}, 0, 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				inc := e.declare(t, tc.inc)
				got, err := e.db.FindIncidentByID(e.ctx, inc.ID)
				if err != nil {
					t.Fatal(err)
				}
				a, _ := json.Marshal(inc)
				b, _ := json.Marshal(got)
				if string(a) != string(b) {
					t.Errorf("declared\n%s\nread back\n%s", a, b)
				}
				if len(inc.Tasks) != tc.tasks {
					t.Errorf("tasks = %d, want %d", len(inc.Tasks), tc.tasks)
				}
				es, err := e.db.FindEscalations(e.ctx, inc.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(es) != tc.esc {
					t.Errorf("escalations = %d, want %d", len(es), tc.esc)
				}
				// Ack and resolve, warning and breach, and the severity
				// check: both proposals (P1, P3) have a duration escalator.
				const want = 5
				n, err := store.QueryID(e.ctx, e.db, `SELECT COUNT(*) FROM sla_timers WHERE incident_id = ? AND due_at IS NOT NULL`, inc.ID)
				if err != nil {
					t.Fatal(err)
				}
				if n != want {
					t.Errorf("sla timers = %d, want %d", n, want)
				}
			})
		}
	})
}
