package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestIncidentFlow(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		tok := h.responderToken

		var svc warroom.Service
		h.ok(h.adminToken, "POST", "/api/v1/services", map[string]any{"name": "payments", "team": "pay", "tier": 1}, http.StatusCreated, &svc)

		// 20,000 users affected is a P1 by the default matrix.
		inc := h.declare(map[string]any{
			"title": "Card payments failing", "summary": "auth timeouts", "type": "system_crash",
			"service_ids": []int64{svc.ID},
			"impact":      map[string]any{"users_affected": 20000, "money_affected": map[string]any{"amount": "1234.50", "currency": "CNY"}},
		})
		t.Run("Declare", func(t *testing.T) {
			if inc.Number != fmt.Sprintf("INC-%d", inc.ID) || inc.State != warroom.StateTriggered {
				t.Errorf("number, state = %q, %q", inc.Number, inc.State)
			}
			if inc.ProposedSeverity != warroom.P1 || inc.Severity != warroom.P1 {
				t.Errorf("proposed, severity = %s, %s, want P1, P1", inc.ProposedSeverity, inc.Severity)
			}
			if !strings.Contains(inc.SeverityReason, "major user impact") {
				t.Errorf("severity_reason = %q, want the matching rule", inc.SeverityReason)
			}
			if got, want := inc.Impact.MoneyAffected.Amount, warroom.Amount(123450); got != want {
				t.Errorf("money affected = %d, want %d", got, want)
			}
			if inc.SLA == nil || len(inc.Services) != 1 || inc.Services[0].Name != "payments" {
				t.Errorf("sla, services = %+v, %+v; want both filled", inc.SLA, inc.Services)
			}
		})

		t.Run("Get", func(t *testing.T) {
			h := h.with(t)
			for _, ref := range []string{inc.Number, fmt.Sprint(inc.ID), strings.ToLower(inc.Number)} {
				var got warroom.Incident
				h.ok(h.viewerToken, "GET", "/api/v1/incidents/"+ref, nil, http.StatusOK, &got)
				if got.ID != inc.ID || got.Title != inc.Title {
					t.Errorf("GET %s = %d %q", ref, got.ID, got.Title)
				}
			}
			h.fail(h.viewerToken, "GET", "/api/v1/incidents/INC-999", nil, http.StatusNotFound, "")
			h.fail(h.viewerToken, "GET", "/api/v1/incidents/abc", nil, http.StatusNotFound, "")
		})

		minor := h.declare(map[string]any{"title": "Slow search", "type": "other", "impact": map[string]any{"users_affected": 150}})
		drill := h.declare(map[string]any{"title": "Game day", "type": "data_loss", "drill": true})

		t.Run("List", func(t *testing.T) {
			h := h.with(t)
			for _, tt := range []struct {
				query string
				want  []int64
			}{
				{"", []int64{inc.ID, minor.ID, drill.ID}},
				{"?severity=P1", []int64{inc.ID}},
				{"?severity=p3&severity=P1", []int64{inc.ID, minor.ID}},
				{"?severity=P3,P4", []int64{minor.ID, drill.ID}},
				{"?state=triggered,acknowledged", []int64{inc.ID, minor.ID, drill.ID}},
				{"?state=resolved", nil},
				{"?drill=true", []int64{drill.ID}},
				{"?drill=false&type=other", []int64{minor.ID}},
				{"?service=payments", []int64{inc.ID}},
				{fmt.Sprintf("?service=%d", svc.ID), []int64{inc.ID}},
				{"?q=search", []int64{minor.ID}},
			} {
				var p page[*warroom.Incident]
				h.ok(h.viewerToken, "GET", "/api/v1/incidents"+tt.query, nil, http.StatusOK, &p)
				if got := ids(p.Incidents); fmt.Sprint(got) != fmt.Sprint(tt.want) || p.Total != len(tt.want) {
					t.Errorf("%q: ids = %v total %d, want %v", tt.query, got, p.Total, tt.want)
				}
			}
			var p page[*warroom.Incident]
			h.ok(h.viewerToken, "GET", "/api/v1/incidents?limit=1&offset=1", nil, http.StatusOK, &p)
			if len(p.Incidents) != 1 || p.Incidents[0].ID != minor.ID || p.Total != 3 || p.Offset != 1 || p.Limit != 1 {
				t.Errorf("page = %v total %d offset %d limit %d, want [%d] 3 1 1", ids(p.Incidents), p.Total, p.Offset, p.Limit, minor.ID)
			}
			h.ok(h.viewerToken, "GET", "/api/v1/incidents?limit=100000", nil, http.StatusOK, &p)
			if p.Limit != warroom.MaxPageSize {
				t.Errorf("limit = %d, want it capped at %d", p.Limit, warroom.MaxPageSize)
			}
			for query, field := range map[string]string{
				"?severity=P9": "severity", "?severity=P1,high": "severity", "?state=open": "state",
				"?type=meteor": "type", "?limit=-1": "limit", "?limit=x": "limit", "?offset=-5": "offset",
				"?drill=maybe": "drill", "?detected_after=yesterday": "detected_after", "?service=nope": "service",
			} {
				h.fail(h.viewerToken, "GET", "/api/v1/incidents"+query, nil, http.StatusBadRequest, field)
			}
		})

		path := "/api/v1/incidents/" + inc.Number
		t.Run("Transitions", func(t *testing.T) {
			h := h.with(t)
			var got warroom.Incident
			h.ok(tok, "POST", path+"/transitions", map[string]any{"state": "acknowledged", "note": "on it"}, http.StatusOK, &got)
			if got.State != warroom.StateAcknowledged || got.AcknowledgedAt == nil {
				t.Errorf("state, acknowledged_at = %s, %v", got.State, got.AcknowledgedAt)
			}
			e := h.fail(tok, "POST", path+"/transitions", map[string]any{"state": "triggered"}, http.StatusConflict, "state")
			if !strings.Contains(e.Message, "investigating, identified, mitigated, resolved") {
				t.Errorf("message = %q, want the legal next states", e.Message)
			}
			h.fail(tok, "POST", path+"/transitions", map[string]any{"state": "fixed"}, http.StatusUnprocessableEntity, "state")
		})

		t.Run("Severity", func(t *testing.T) {
			h := h.with(t)
			var got warroom.Incident
			h.ok(tok, "POST", path+"/severity", map[string]any{"severity": "P0", "reason": "board is watching"}, http.StatusOK, &got)
			if got.Severity != warroom.P0 || got.ProposedSeverity != warroom.P1 {
				t.Errorf("severity, proposed = %s, %s, want P0, P1", got.Severity, got.ProposedSeverity)
			}
			h.fail(tok, "POST", path+"/severity", map[string]any{"severity": "P5"}, http.StatusUnprocessableEntity, "severity")
		})

		var note warroom.Event
		t.Run("Notes", func(t *testing.T) {
			h := h.with(t)
			h.ok(tok, "POST", path+"/notes", map[string]any{"text": "rolled back 1.4.2"}, http.StatusCreated, &note)
			if note.Kind != warroom.EventNote || note.ActorID != h.responder.ID || note.Text != "rolled back 1.4.2" {
				t.Errorf("note = %+v", note)
			}
			h.fail(tok, "POST", path+"/notes", map[string]any{"text": "x", "visibility": "public"}, http.StatusUnprocessableEntity, "visibility")
		})

		t.Run("Roles", func(t *testing.T) {
			h := h.with(t)
			var a warroom.RoleAssignment
			h.ok(tok, "POST", path+"/roles", map[string]any{"role": "commander", "user_id": h.responder.ID}, http.StatusCreated, &a)
			if a.Role != "commander" || a.UserID != h.responder.ID || a.IncidentID != inc.ID {
				t.Errorf("assignment = %+v", a)
			}
			var roles struct{ Roles []*warroom.RoleAssignment }
			h.ok(h.viewerToken, "GET", path+"/roles", nil, http.StatusOK, &roles)
			if len(roles.Roles) != 1 {
				t.Fatalf("roles = %d, want 1", len(roles.Roles))
			}
			h.ok(tok, "DELETE", fmt.Sprintf("%s/roles/%d", path, a.ID), nil, http.StatusNoContent, nil)
			h.ok(h.viewerToken, "GET", path+"/roles", nil, http.StatusOK, &roles)
			if len(roles.Roles) != 0 {
				t.Errorf("current roles after end = %d, want 0", len(roles.Roles))
			}
			h.ok(h.viewerToken, "GET", path+"/roles?history=true", nil, http.StatusOK, &roles)
			if len(roles.Roles) != 1 || roles.Roles[0].EndedAt == nil {
				t.Errorf("history = %+v, want the ended assignment", roles.Roles)
			}
			h.fail(tok, "POST", path+"/roles", map[string]any{"role": "commander", "user_id": 99999}, http.StatusNotFound, "")
		})

		t.Run("Tasks", func(t *testing.T) {
			h := h.with(t)
			var task warroom.Task
			h.ok(tok, "POST", path+"/tasks", map[string]any{"title": "Post status update"}, http.StatusCreated, &task)
			h.ok(tok, "PATCH", fmt.Sprintf("%s/tasks/%d", path, task.ID), map[string]any{"done": true}, http.StatusOK, &task)
			if !task.Done || task.DoneAt == nil || task.DoneBy == nil || *task.DoneBy != h.responder.ID {
				t.Errorf("task after check-off = %+v", task)
			}
			var tasks struct{ Tasks []*warroom.Task }
			h.ok(h.viewerToken, "GET", path+"/tasks", nil, http.StatusOK, &tasks)
			if len(tasks.Tasks) == 0 || !tasks.Tasks[len(tasks.Tasks)-1].Done {
				t.Errorf("tasks = %+v", tasks.Tasks)
			}
			h.fail(tok, "POST", path+"/tasks", map[string]any{"title": " "}, http.StatusUnprocessableEntity, "title")
		})

		t.Run("Events", func(t *testing.T) {
			h := h.with(t)
			var p page[*warroom.Event]
			h.ok(h.viewerToken, "GET", path+"/events?kind=note", nil, http.StatusOK, &p)
			if p.Total != 1 || len(p.Events) != 1 || p.Events[0].ID != note.ID {
				t.Errorf("notes = %d (total %d), want just %d", len(p.Events), p.Total, note.ID)
			}
			h.ok(h.viewerToken, "GET", path+"/events?order=asc", nil, http.StatusOK, &p)
			if len(p.Events) < 5 || p.Events[0].Kind != warroom.EventDeclared {
				t.Errorf("timeline = %d events starting with %v, want declared first", len(p.Events), kinds(p.Events))
			}
			h.ok(h.viewerToken, "GET", path+"/events?kind=state_changed,task_completed", nil, http.StatusOK, &p)
			for _, e := range p.Events {
				if e.Kind != warroom.EventStateChanged && e.Kind != warroom.EventTaskCompleted {
					t.Errorf("kind filter let %s through", e.Kind)
				}
			}
			if p.Total < 2 {
				t.Errorf("state_changed+task_completed = %d, want at least 2", p.Total)
			}
			h.fail(h.viewerToken, "GET", path+"/events?kind=gossip", nil, http.StatusBadRequest, "kind")
			h.fail(h.viewerToken, "GET", path+"/events?order=sideways", nil, http.StatusBadRequest, "order")
		})

		t.Run("Closed", func(t *testing.T) {
			h := h.with(t)
			for _, s := range []string{"resolved", "closed"} {
				h.ok(tok, "POST", path+"/transitions", map[string]any{"state": s}, http.StatusOK, nil)
			}
			e := h.fail(tok, "POST", path+"/transitions", map[string]any{"state": "investigating"}, http.StatusConflict, "state")
			if !strings.Contains(e.Message, "closed") {
				t.Errorf("message = %q, want it to say the incident is closed", e.Message)
			}
			h.fail(tok, "POST", path+"/notes", map[string]any{"text": "late"}, http.StatusConflict, "")
		})

		t.Run("Update", func(t *testing.T) {
			h := h.with(t)
			var got warroom.Incident
			h.ok(tok, "PATCH", "/api/v1/incidents/"+minor.Number, map[string]any{"impact": map[string]any{"users_affected": 200000}}, http.StatusOK, &got)
			if got.ProposedSeverity != warroom.P0 {
				t.Errorf("proposed after impact update = %s, want P0", got.ProposedSeverity)
			}
		})
	})
}

func ids(incs []*warroom.Incident) []int64 {
	var out []int64
	for _, inc := range incs {
		out = append(out, inc.ID)
	}
	return out
}

func kinds(es []*warroom.Event) []warroom.EventKind {
	var out []warroom.EventKind
	for _, e := range es {
		out = append(out, e.Kind)
	}
	return out
}

// TestDeclareTitleOnly: at night a title is enough; the type is other
// until someone sets it.
func TestDeclareTitleOnly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		h := newHarness(t, engine)
		got := h.declare(map[string]any{"title": "Something is wrong"})
		if got.Type != warroom.TypeOther {
			t.Errorf("type = %q, want %q", got.Type, warroom.TypeOther)
		}
	})
}
