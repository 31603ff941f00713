package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func (e *env) fire(t *testing.T) int {
	t.Helper()
	n, err := e.db.FireDrills(e.ctx, e.clock.Now(), 100)
	if err != nil {
		t.Fatalf("FireDrills: %v", err)
	}
	return n
}

// TestDrillRun plays the built-in "database deleted" scenario on a
// service: the run starts on its timer, its alert goes through ingest and
// routing into a drill incident for the on-call alone, its later steps
// land on the timeline, and the report measures what the team did.
func TestDrillRun(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		oncall, manager := e.reachable(t, "oncall"), e.reachable(t, "manager")
		svc := e.oncallService(t, "orders", oncall, manager)
		at := e.clock.Now().Add(10 * time.Minute)
		run, err := e.db.StartDrill(e.ctx, warroom.DrillRunRequest{Scenario: "database-deleted", ServiceIDs: []int64{svc.ID}, StartsAt: &at})
		if err != nil {
			t.Fatal(err)
		}
		if run.State != warroom.DrillScheduled {
			t.Fatalf("state = %s, want scheduled", run.State)
		}
		if n := e.fire(t); n != 0 {
			t.Errorf("fired %d before the start time", n)
		}
		e.clock.Add(10 * time.Minute)
		e.fire(t) // starts the run and injects the first alert
		e.route(t)
		run, _ = e.db.FindDrillRun(e.ctx, run.ID)
		if run.State != warroom.DrillRunning || run.IncidentID == nil {
			t.Fatalf("run = %+v, want running with an incident", run)
		}
		inc := e.incident(t, *run.IncidentID)
		if !inc.Drill || inc.Severity != warroom.P0 || len(inc.Tasks) < 5 {
			t.Errorf("incident = drill %v severity %s tasks %d, want a P0 drill with the scenario's SOP", inc.Drill, inc.Severity, len(inc.Tasks))
		}
		if ids, _ := e.db.FindDrillParticipants(e.ctx, inc.ID); !slices.Contains(ids, oncall.ID) || slices.Contains(ids, manager.ID) {
			t.Errorf("participants = %v, want the on-call %d and not the manager %d", ids, oncall.ID, manager.ID)
		}

		t.Run("PauseResume", func(t *testing.T) {
			if _, err := e.db.PauseDrill(e.ctx, run.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := e.db.PauseDrill(e.ctx, run.ID); warroom.ErrorCode(err) != warroom.ECONFLICT {
				t.Errorf("second pause: err = %v, want conflict", err)
			}
			e.clock.Add(time.Hour)
			if n := e.fire(t); n != 0 {
				t.Errorf("paused drill fired %d steps", n)
			}
			r, err := e.db.ResumeDrill(e.ctx, run.ID)
			if err != nil {
				t.Fatal(err)
			}
			if r.Steps[1].DueAt == nil || r.Steps[1].DueAt.Before(e.clock.Now()) {
				t.Errorf("step 1 due %v, want moved past now by the pause", r.Steps[1].DueAt)
			}
		})

		// The team responds: acknowledges, fills the roles, says something.
		if _, err := e.db.TransitionIncident(e.ctx, inc.ID, warroom.StateAcknowledged, ""); err != nil {
			t.Fatal(err)
		}
		for _, role := range []string{warroom.RoleCommander, warroom.RoleCommunications, warroom.RoleScribe} {
			if _, err := e.db.AssignRole(e.ctx, inc.ID, role, oncall.ID); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.db.PostStatusUpdate(e.ctx, inc.ID, &warroom.StatusUpdate{Audience: warroom.AudiencePublic, WhatHappened: "Orders are down",
			PublicStatus: warroom.PublicInvestigating}); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(10 * time.Minute)
		e.fire(t)
		e.route(t)
		evs, _, err := e.db.FindEvents(e.ctx, warroom.EventFilter{IncidentID: inc.ID, Limit: warroom.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		var change bool
		for _, ev := range evs {
			change = change || (ev.Kind == warroom.EventDrill && len(ev.Text) > 15 && ev.Text[:15] == "Change (drill):")
		}
		if !change {
			t.Error("the change step is not on the drill's timeline")
		}
		if _, n, _ := e.db.FindChanges(e.ctx, warroom.ChangeFilter{}); n != 0 {
			t.Errorf("change records = %d, want none: the drill's change stays in the drill", n)
		}

		rep, err := e.db.DrillReport(e.ctx, run.ID)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]warroom.DrillMeasure{}
		for _, m := range rep.Measures {
			byName[m.Name] = m
		}
		wantAck := int64(time.Hour/time.Second) + 0 // acknowledged after the hour-long pause
		if m := byName[warroom.MeasureAcknowledge]; m.Seconds == nil || *m.Seconds != wantAck {
			t.Errorf("acknowledge = %v, want %d s", m.Seconds, wantAck)
		}
		if m := byName[warroom.MeasureRoles]; m.Seconds == nil || m.Met {
			t.Errorf("roles = %+v, want measured and late against a P0 target", m)
		}
		if m := byName[warroom.MeasureMitigate]; m.Seconds != nil {
			t.Errorf("mitigate = %v, want never", *m.Seconds)
		}
		if len(rep.SOP) != 5 || rep.SOP[0].Done || len(rep.Missed) == 0 {
			t.Errorf("sop = %+v missed = %v", rep.SOP, rep.Missed)
		}

		t.Run("Abort", func(t *testing.T) {
			if _, err := e.db.AbortDrill(e.ctx, run.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := e.db.AbortDrill(e.ctx, run.ID); warroom.ErrorCode(err) != warroom.ECONFLICT {
				t.Errorf("second abort: err = %v, want conflict", err)
			}
		})
		t.Run("Insights", func(t *testing.T) {
			in, err := e.db.DrillInsights(e.ctx, e.clock.Now().Add(-24*time.Hour), e.clock.Now().Add(time.Minute), 30)
			if err != nil {
				t.Fatal(err)
			}
			if len(in.Teams) != 1 || in.Teams[0].Runs != 1 || in.Teams[0].MTTA.Count != 1 {
				t.Errorf("teams = %+v", in.Teams)
			}
			if len(in.Services) != 1 || in.Services[0].Overdue {
				t.Errorf("services = %+v, want orders drilled recently", in.Services)
			}
			if _, err := e.db.DrillInsights(e.ctx, e.clock.Now(), e.clock.Now(), 30); warroom.ErrorField(err) != "to" {
				t.Errorf("empty range: err = %v", err)
			}
		})
	})
}

func TestDrillScenarios(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		all, err := e.db.FindDrillScenarios(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 8 {
			t.Errorf("scenarios = %d, want the 8 built-in", len(all))
		}
		s := &warroom.DrillScenario{Slug: "dns-expired", Name: "DNS expired", Severity: warroom.P1,
			Steps: []warroom.DrillStep{{Kind: warroom.DrillStepAlert, Summary: "site unreachable"}}}
		if err := e.db.SaveDrillScenario(e.ctx, s); err != nil {
			t.Fatal(err)
		}
		got, err := e.db.FindDrillScenario(e.ctx, "dns-expired")
		if err != nil || got.Steps[0].Severity != warroom.AlertCritical || got.BuiltIn {
			t.Errorf("saved = %+v, %v", got, err)
		}
		t.Run("ErrConflictBuiltIn", func(t *testing.T) {
			b := *s
			b.Slug = "database-deleted"
			if err := e.db.SaveDrillScenario(e.ctx, &b); warroom.ErrorCode(err) != warroom.ECONFLICT {
				t.Errorf("err = %v", err)
			}
			if err := e.db.DeleteDrillScenario(e.ctx, "database-deleted"); warroom.ErrorCode(err) != warroom.ECONFLICT {
				t.Errorf("delete: err = %v", err)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			bad := &warroom.DrillScenario{Slug: "x", Name: "x", Severity: warroom.P1, Steps: []warroom.DrillStep{{Kind: warroom.DrillStepNote, Summary: "n"}}}
			if err := e.db.SaveDrillScenario(e.ctx, bad); warroom.ErrorField(err) != "steps" {
				t.Errorf("no alert step: err = %v", err)
			}
		})
		if err := e.db.DeleteDrillScenario(e.ctx, "dns-expired"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.FindDrillScenario(e.ctx, "dns-expired"); warroom.ErrorCode(err) != warroom.ENOTFOUND {
			t.Errorf("after delete: err = %v", err)
		}
		if n := len(e.audits(t, warroom.AuditDrillScenarioSave)); n != 1 {
			t.Errorf("save audit rows = %d", n)
		}
	})
}
