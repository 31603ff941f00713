package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/client"
	"github.com/warroomhq/warroom/cmd/warroom/app"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

const adminToken = "wr_e2e_admin_token_0123456789abcdef"

// startMain runs the server on dsn as `warroom serve --addr 127.0.0.1:0
// --database dsn [flags]` would, with the first admin's token from the
// environment.
func startMain(t *testing.T, dsn string, flags ...string) *app.Main {
	t.Helper()
	m := app.NewMain()
	m.Getenv = func(k string) string {
		return map[string]string{"WARROOM_BOOTSTRAP_TOKEN": adminToken, "WARROOM_BOOTSTRAP_PASSWORD": "e2e password, long enough"}[k]
	}
	m.Stderr = &bytes.Buffer{}
	m.Logger = slog.New(slog.DiscardHandler)
	if err := m.ParseFlags(context.Background(), append([]string{"--addr", "127.0.0.1:0", "--database", dsn}, flags...)); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// TestLifecycle declares an incident, works it through to closed, restarts
// the server on the same database and finds everything still there.
func TestLifecycle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		dsn := storetest.DSN(t, engine)
		m := startMain(t, dsn)
		c := client.New(m.Server.URL(), adminToken)

		t.Run("Probes", func(t *testing.T) {
			for _, path := range []string{"/healthz", "/readyz"} {
				status, body := get(t, m.Server.URL()+path)
				if status != http.StatusOK || !strings.Contains(body, `"status":"ok"`) {
					t.Errorf("GET %s = %d %s", path, status, body)
				}
			}
			// The web UI is mounted beside the API.
			if status, body := get(t, m.Server.URL()+"/login"); status != http.StatusOK || !strings.Contains(body, "<form") {
				t.Errorf("GET /login = %d, want the login form", status)
			}
		})

		svc := &warroom.Service{Name: "payments", Team: "payments-sre", Tier: 1}
		if err := c.CreateService(ctx, svc); err != nil {
			t.Fatal(err)
		}
		inc := &warroom.Incident{
			Title:      "Card payments fail at checkout",
			Summary:    "Gateway timeouts since the 14:02 release.",
			Type:       warroom.TypeSystemCrash,
			ServiceIDs: []int64{svc.ID},
			Impact:     warroom.Impact{UsersAffected: 12_000, OrdersAffected: 300},
		}
		if err := c.DeclareIncident(ctx, inc); err != nil {
			t.Fatal(err)
		}
		if inc.Number == "" || inc.State != warroom.StateTriggered || inc.Severity != warroom.P1 ||
			inc.SeverityReason != `rule "major user impact": users affected ≥ 10000` || inc.SLA == nil {
			t.Fatalf("declared %s %s %s %q sla=%v", inc.Number, inc.State, inc.Severity, inc.SeverityReason, inc.SLA)
		}

		me, err := c.Me(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.AssignRole(ctx, inc.Number, warroom.RoleCommander, me.ID); err != nil {
			t.Fatal(err)
		}
		task := &warroom.Task{Title: "Roll back the 14:02 release"}
		if err := c.AddTask(ctx, inc.Number, task); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AddNote(ctx, inc.Number, warroom.NoteInput{Kind: warroom.EventStatusUpdate, Visibility: warroom.VisibilityPublic, Text: "Card payments are failing; we are on it."}); err != nil {
			t.Fatal(err)
		}
		// The numbers grow: the matrix proposes P0 and the severity follows.
		bigger := inc.Impact
		bigger.UsersAffected = 150_000
		upd, err := c.UpdateIncident(ctx, inc.Number, warroom.IncidentUpdate{Impact: &bigger})
		if err != nil {
			t.Fatal(err)
		}
		if upd.ProposedSeverity != warroom.P0 {
			t.Errorf("proposed after update = %s, want P0", upd.ProposedSeverity)
		}
		if _, err := c.SetSeverity(ctx, inc.Number, warroom.P0, ""); err != nil {
			t.Fatal(err)
		}

		for _, to := range []warroom.State{warroom.StateAcknowledged, warroom.StateInvestigating, warroom.StateMitigated, warroom.StateResolved} {
			if _, err := c.TransitionIncident(ctx, inc.Number, to, "now "+string(to)); err != nil {
				t.Fatalf("to %s: %v", to, err)
			}
		}
		if _, err := c.UpdateTask(ctx, inc.Number, task.ID, warroom.TaskUpdate{Done: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		loss := warroom.Loss{MoneyLost: warroom.Money{Amount: 200_000 * 100, Currency: "CNY"}, OrdersLost: 300, DowntimeMinutes: 95}
		if _, err := c.UpdateIncident(ctx, inc.Number, warroom.IncidentUpdate{Loss: &loss}); err != nil {
			t.Fatal(err)
		}
		// An illegal step is refused with the legal ones named.
		_, err = c.TransitionIncident(ctx, inc.Number, warroom.StateAcknowledged, "")
		if warroom.ErrorCode(err) != warroom.ECONFLICT || !strings.Contains(warroom.ErrorMessage(err), "legal next states: investigating, closed") {
			t.Errorf("resolved → acknowledged: %v", err)
		}
		if _, err := c.TransitionIncident(ctx, inc.Number, warroom.StateClosed, "postmortem booked"); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, c, inc.Number)
		if before.inc.State != warroom.StateClosed || before.inc.AcknowledgedAt == nil || before.inc.MitigatedAt == nil || before.inc.ResolvedAt == nil || before.inc.ClosedAt == nil {
			t.Fatalf("closed incident lacks its step times: %+v", before.inc)
		}
		// Closed is final, for notes too.
		if _, err := c.AddNote(ctx, inc.Number, warroom.NoteInput{Text: "late"}); warroom.ErrorCode(err) != warroom.ECONFLICT {
			t.Errorf("note on a closed incident: %v, want %s", err, warroom.ECONFLICT)
		}

		// Restart on the same database: everything answered with 2xx is there.
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		m2 := startMain(t, dsn)
		c2 := client.New(m2.Server.URL(), adminToken)
		after := snapshot(t, c2, inc.Number)
		// The background engine keeps working meanwhile (a resolved P0 gets
		// its postmortem draft), so the timeline may have grown — but only
		// at its end and only by the system, never by losing or changing an
		// event.
		if len(after.events) > len(before.events) {
			for _, e := range after.events[len(before.events):] {
				if e.ActorID != 0 {
					t.Errorf("event %d (%s) by user %d appeared after the restart", e.ID, e.Kind, e.ActorID)
				}
			}
			after.events = after.events[:len(before.events)]
		}
		if a, b := mustJSON(t, after), mustJSON(t, before); a != b {
			t.Errorf("after restart:\n%s\nbefore:\n%s", a, b)
		}
		users, _, err := c2.FindUsers(ctx, warroom.UserFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(users) != 1 {
			t.Errorf("%d users after restart, want the one admin", len(users))
		}
		if err := c2.Ready(ctx); err != nil {
			t.Errorf("readyz after restart: %v", err)
		}
	})
}

// state is what the restart must preserve.
type state struct {
	inc    *warroom.Incident
	events []*warroom.Event
	roles  []*warroom.RoleAssignment
}

func snapshot(t *testing.T, c *client.Client, ref string) state {
	t.Helper()
	ctx := context.Background()
	inc, err := c.FindIncidentByID(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	// SLA is computed at read time; it is the stored times that must
	// survive, and they are compared through the incident's fields.
	inc.SLA = nil
	events, total, err := c.FindEvents(ctx, ref, warroom.EventFilter{Ascending: true, Limit: warroom.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	if total != len(events) || total < 10 {
		t.Errorf("%d events of %d total; want the whole timeline", len(events), total)
	}
	roles, err := c.FindRoleAssignments(ctx, ref, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) == 0 {
		t.Error("no role assignments in the history")
	}
	return state{inc, events, roles}
}

func mustJSON(t *testing.T, s state) string {
	t.Helper()
	b, err := json.MarshalIndent(map[string]any{"incident": s.inc, "events": s.events, "roles": s.roles}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func ptr[T any](v T) *T { return &v }
