package store_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestDeclareIncident(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		t.Run("OK", func(t *testing.T) {
			e := newEnv(t, engine)
			svc := e.service(t, "payments")
			detected := e.clock.Now().Add(-30 * time.Minute)
			inc := e.declare(t, &warroom.Incident{
				Title: "Checkout down", Summary: "500s", ServiceIDs: []int64{svc.ID, svc.ID}, DetectedAt: detected,
				Impact: warroom.Impact{UsersAffected: 20_000, MoneyAffected: warroom.Money{Amount: 5000, Currency: "CNY"}, RecoveryPathAvailable: ptr(true)},
				Loss:   warroom.Loss{MoneyLost: warroom.Money{Amount: 12345, Currency: "CNY"}},
			})
			if inc.Number != warroom.FormatNumber(inc.ID) || inc.State != warroom.StateTriggered {
				t.Fatalf("number, state = %s, %s", inc.Number, inc.State)
			}
			if inc.Severity != warroom.P1 || inc.ProposedSeverity != warroom.P1 {
				t.Fatalf("severity, proposed = %s, %s; want P1, P1", inc.Severity, inc.ProposedSeverity)
			}
			if !inc.DetectedAt.Equal(detected) || inc.CreatedBy != e.admin.ID || inc.SLA == nil {
				t.Fatalf("detected_at %v created_by %d sla %v", inc.DetectedAt, inc.CreatedBy, inc.SLA)
			}
			got, err := e.db.FindIncidentByID(e.ctx, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Services) != 1 || got.Services[0].Name != "payments" || len(got.ServiceIDs) != 1 {
				t.Fatalf("services = %+v, ids %v", got.Services, got.ServiceIDs)
			}
			if got.Impact.RecoveryPathAvailable == nil || !*got.Impact.RecoveryPathAvailable || got.Impact.MoneyAffected.Amount != 5000 {
				t.Fatalf("impact = %+v", got.Impact)
			}
			if got.Loss.MoneyLost != inc.Loss.MoneyLost {
				t.Fatalf("loss = %+v, want %+v", got.Loss, inc.Loss)
			}
			if kinds := eventKinds(e.events(t, inc.ID)); len(kinds) != 1 || kinds[0] != warroom.EventDeclared {
				t.Fatalf("events = %v, want [declared]", kinds)
			}
			if n := len(e.audits(t, warroom.AuditIncidentDeclare)); n != 1 {
				t.Fatalf("declare audit rows = %d, want 1", n)
			}
			a := e.audits(t, warroom.AuditIncidentDeclare)[0]
			if a.ActorID != e.admin.ID || a.SourceIP != "192.0.2.7" || a.TargetType != "incident" || a.TargetID != strconv.FormatInt(inc.ID, 10) {
				t.Fatalf("audit = %+v", a)
			}
		})
		t.Run("Override", func(t *testing.T) {
			e := newEnv(t, engine)
			inc := e.declare(t, &warroom.Incident{Title: "Small blip", Severity: warroom.P0})
			if inc.Severity != warroom.P0 || inc.ProposedSeverity != warroom.P4 {
				t.Fatalf("severity, proposed = %s, %s; want P0, P4", inc.Severity, inc.ProposedSeverity)
			}
			es := e.events(t, inc.ID, warroom.EventSeverityOverride)
			if len(es) != 1 || es[0].Text != "declared as P0, proposed P4" {
				t.Fatalf("override events = %+v", es)
			}
		})
		t.Run("DurationEscalates", func(t *testing.T) {
			e := newEnv(t, engine)
			inc := e.declare(t, &warroom.Incident{Title: "Slow burn", DetectedAt: e.clock.Now().Add(-3 * time.Hour),
				Impact: warroom.Impact{UsersAffected: 1_000}})
			if inc.ProposedSeverity != warroom.P1 {
				t.Fatalf("proposed = %s, want P1 (P2 open over 2h)", inc.ProposedSeverity)
			}
		})
		t.Run("SOP", func(t *testing.T) {
			e := newEnv(t, engine)
			crash := &warroom.SOPTemplate{Name: "crash", Types: []warroom.IncidentType{warroom.TypeSystemCrash}, Tasks: []string{"page owner", "open bridge"}}
			major := &warroom.SOPTemplate{Name: "major", Severities: []warroom.Severity{warroom.P0, warroom.P1}, Tasks: []string{"notify execs"}}
			for _, tpl := range []*warroom.SOPTemplate{crash, major} {
				if err := e.db.CreateSOPTemplate(e.ctx, tpl); err != nil {
					t.Fatal(err)
				}
			}
			inc := e.declare(t, &warroom.Incident{Title: "Crash", Type: warroom.TypeSystemCrash})
			if len(inc.Tasks) != 2 || inc.Tasks[0].Title != "page owner" || inc.Tasks[1].Position != 2 || *inc.Tasks[0].TemplateID != crash.ID {
				t.Fatalf("tasks = %+v", inc.Tasks)
			}
			other := e.declare(t, &warroom.Incident{Title: "Leak", Type: warroom.TypeDataLoss})
			if len(other.Tasks) != 0 {
				t.Fatalf("tasks on non-matching incident = %d, want 0", len(other.Tasks))
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			e := newEnv(t, engine)
			for _, tc := range []struct {
				name  string
				inc   warroom.Incident
				field string
			}{
				{"NoTitle", warroom.Incident{Type: warroom.TypeOther}, "title"},
				{"BadType", warroom.Incident{Title: "x", Type: "meteor"}, "type"},
				{"NegativeMoney", warroom.Incident{Title: "x", Type: warroom.TypeOther, Impact: warroom.Impact{MoneyAffected: warroom.Money{Amount: -1, Currency: "CNY"}}}, "impact.money_affected.amount"},
				{"Future", warroom.Incident{Title: "x", Type: warroom.TypeOther, DetectedAt: e.clock.Now().Add(time.Minute)}, "detected_at"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					err := e.db.DeclareIncident(e.ctx, &tc.inc)
					wantCode(t, err, warroom.EINVALID)
					wantField(t, err, tc.field)
				})
			}
			if n := len(e.audits(t, warroom.AuditIncidentDeclare)); n != 0 {
				t.Fatalf("audit rows after refusals = %d, want 0", n)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			e := newEnv(t, engine)
			err := e.db.DeclareIncident(e.ctx, &warroom.Incident{Title: "x", Type: warroom.TypeOther, ServiceIDs: []int64{999}})
			wantCode(t, err, warroom.ENOTFOUND)
			wantField(t, err, "service_ids")
			if _, n, _ := e.db.FindIncidents(e.ctx, warroom.IncidentFilter{}); n != 0 {
				t.Fatalf("incidents after refusal = %d, want 0", n)
			}
		})
	})
}

func eventKinds(es []*warroom.Event) []warroom.EventKind {
	var ks []warroom.EventKind
	for _, e := range es {
		ks = append(ks, e.Kind)
	}
	return ks
}

func TestFindIncidentByID(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := e.db.FindIncidentByID(e.ctx, 42)
			wantCode(t, err, warroom.ENOTFOUND)
		})
		t.Run("RolesAndTasks", func(t *testing.T) {
			inc := e.declare(t, &warroom.Incident{Title: "x"})
			if _, err := e.db.AssignRole(e.ctx, inc.ID, warroom.RoleCommander, e.admin.ID); err != nil {
				t.Fatal(err)
			}
			if err := e.db.AddTask(e.ctx, inc.ID, &warroom.Task{Title: "check dashboards"}); err != nil {
				t.Fatal(err)
			}
			got, err := e.db.FindIncidentByID(e.ctx, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Roles) != 1 || got.Roles[0].UserName != e.admin.Name || len(got.Tasks) != 1 {
				t.Fatalf("roles %+v tasks %+v", got.Roles, got.Tasks)
			}
		})
	})
}

func TestUpdateIncident(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		t.Run("OK", func(t *testing.T) {
			e := newEnv(t, engine)
			a, b := e.service(t, "a"), e.service(t, "b")
			inc := e.declare(t, &warroom.Incident{Title: "x", ServiceIDs: []int64{a.ID}})
			got, err := e.db.UpdateIncident(e.ctx, inc.ID, warroom.IncidentUpdate{
				Title: ptr("y"), ServiceIDs: &[]int64{b.ID},
				Impact: &warroom.Impact{UsersAffected: 200_000},
				Loss:   &warroom.Loss{OrdersLost: 3},
			})
			if err != nil {
				t.Fatal(err)
			}
			if got.Title != "y" || len(got.ServiceIDs) != 1 || got.ServiceIDs[0] != b.ID || got.Loss.OrdersLost != 3 {
				t.Fatalf("got %+v", got)
			}
			// The proposal follows the numbers; the severity waits for a person.
			if got.ProposedSeverity != warroom.P0 || got.Severity != warroom.P4 {
				t.Fatalf("severity, proposed = %s, %s; want P4, P0", got.Severity, got.ProposedSeverity)
			}
			want := []warroom.EventKind{warroom.EventDeclared, warroom.EventFieldsUpdated, warroom.EventServicesChanged,
				warroom.EventImpactUpdated, warroom.EventSeverityProposed, warroom.EventLossUpdated}
			if got := eventKinds(e.events(t, inc.ID)); !equal(got, want) {
				t.Fatalf("events = %v, want %v", got, want)
			}
			as := e.audits(t, warroom.AuditIncidentUpdate)
			if len(as) != 1 {
				t.Fatalf("update audit rows = %d, want 1", len(as))
			}
			var data map[string]json.RawMessage
			if err := json.Unmarshal(as[0].Data, &data); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"title", "service_ids", "impact", "loss", "proposed_severity"} {
				if _, ok := data[k]; !ok {
					t.Errorf("audit data lacks %q: %s", k, as[0].Data)
				}
			}
		})
		t.Run("NoChange", func(t *testing.T) {
			e := newEnv(t, engine)
			inc := e.declare(t, &warroom.Incident{Title: "x"})
			if _, err := e.db.UpdateIncident(e.ctx, inc.ID, warroom.IncidentUpdate{Title: ptr("x")}); err != nil {
				t.Fatal(err)
			}
			if n := len(e.audits(t, warroom.AuditIncidentUpdate)); n != 0 {
				t.Fatalf("audit rows = %d, want 0", n)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			e := newEnv(t, engine)
			_, err := e.db.UpdateIncident(e.ctx, 7, warroom.IncidentUpdate{Title: ptr("y")})
			wantCode(t, err, warroom.ENOTFOUND)
			inc := e.declare(t, &warroom.Incident{Title: "x"})
			_, err = e.db.UpdateIncident(e.ctx, inc.ID, warroom.IncidentUpdate{Title: ptr("y"), ServiceIDs: &[]int64{5}})
			wantCode(t, err, warroom.ENOTFOUND)
			wantField(t, err, "service_ids")
			got, _ := e.db.FindIncidentByID(e.ctx, inc.ID)
			if got.Title != "x" {
				t.Fatalf("title = %q after refused update, want unchanged", got.Title)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			e := newEnv(t, engine)
			inc := e.declare(t, &warroom.Incident{Title: "x"})
			_, err := e.db.UpdateIncident(e.ctx, inc.ID, warroom.IncidentUpdate{Loss: &warroom.Loss{OrdersLost: -1}})
			wantCode(t, err, warroom.EINVALID)
			wantField(t, err, "loss.orders_lost")
		})
		t.Run("ErrConflict", func(t *testing.T) {
			e := newEnv(t, engine)
			inc := e.declare(t, &warroom.Incident{Title: "x"})
			for _, s := range []warroom.State{warroom.StateResolved, warroom.StateClosed} {
				if _, err := e.db.TransitionIncident(e.ctx, inc.ID, s, ""); err != nil {
					t.Fatal(err)
				}
			}
			_, err := e.db.UpdateIncident(e.ctx, inc.ID, warroom.IncidentUpdate{Title: ptr("y")})
			wantCode(t, err, warroom.ECONFLICT)
			if n := len(e.audits(t, warroom.AuditIncidentUpdate)); n != 0 {
				t.Fatalf("audit rows = %d, want 0", n)
			}
		})
	})
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
