package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/client"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestDrillDatabaseDeleted runs the built-in "database deleted" game day on
// the real server, with Mailpit as the SMTP relay and a webhook receiver:
// the on-call get pages marked DRILL by email and webhook; the manager at
// the second escalation level, a stakeholder who takes no part, the
// stakeholder group's mailbox and the status page's email and webhook
// subscribers receive nothing; the public page and its feed are
// unchanged; and the report has the times the team took.
func TestDrillDatabaseDeleted(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		mp := startMailpit(t)
		hook := startHookReceiver(t)
		subHook := startHookReceiver(t)
		clock := &fastClock{t: time.Now().UTC().Truncate(time.Second)}
		m := startMainClocked(t, storetest.DSN(t, engine), clock, append(mp.flags(), "--outbound-allow", "127.0.0.1")...)
		c := client.New(m.Server.URL(), adminToken)
		me, err := c.Me(ctx)
		if err != nil {
			t.Fatal(err)
		}
		actx := warroom.NewContextWithUser(ctx, me)
		user := func(name string) *warroom.User {
			u := &warroom.User{Name: name, Email: name + "@example.com", Role: warroom.UserRoleResponder}
			if err := m.DB.CreateUser(actx, u); err != nil {
				t.Fatal(err)
			}
			mp.verified(t, c, u.ID, u.Email)
			return u
		}
		oncall, manager, outsider := user("oncall"), user("manager"), user("outsider")
		hook.verified(t, c, oncall.ID)

		p := &warroom.EscalationPolicy{Name: "orders", Levels: []warroom.EscalationLevel{
			{DelaySeconds: 60, Targets: []warroom.EscalationTarget{{Type: warroom.TargetUser, ID: oncall.ID}}},
			{DelaySeconds: 60, Targets: []warroom.EscalationTarget{{Type: warroom.TargetUser, ID: manager.ID}}},
		}}
		if err := c.CreateEscalationPolicy(ctx, p); err != nil {
			t.Fatal(err)
		}
		svc := &warroom.Service{Name: "orders", Team: "commerce", Tier: 1}
		if err := c.CreateService(ctx, svc); err != nil {
			t.Fatal(err)
		}
		if err := c.SetServiceEscalationPolicy(ctx, "orders", p.ID); err != nil {
			t.Fatal(err)
		}
		comp := &warroom.Component{Name: "Checkout", ServiceID: &svc.ID}
		if err := m.DB.CreateComponent(actx, comp); err != nil {
			t.Fatal(err)
		}
		board := &warroom.StakeholderGroup{Name: "Board", MemberIDs: []int64{oncall.ID, outsider.ID},
			Channels: []warroom.StakeholderChannel{{Kind: warroom.ChannelEmail, Target: "board@example.com"}}}
		if err := m.DB.CreateStakeholderGroup(actx, board); err != nil {
			t.Fatal(err)
		}
		all := []warroom.StakeholderTrigger{warroom.TriggerDeclare, warroom.TriggerUpdate, warroom.TriggerResolve}
		if err := m.DB.ReplaceScopeRules(actx, []warroom.ScopeRule{{Severity: warroom.P0, GroupID: board.ID, Triggers: all}}); err != nil {
			t.Fatal(err)
		}
		for _, s := range []*warroom.Subscriber{{Kind: warroom.ChannelEmail, Target: "customer@example.com"}, {Kind: warroom.ChannelWebhook, Target: subHook.srv.URL + "/status"}} {
			if err := m.DB.Subscribe(ctx, s); err != nil {
				t.Fatal(err)
			}
			if _, err := m.DB.ConfirmSubscriber(ctx, s.Token); err != nil {
				t.Fatal(err)
			}
		}
		settle(m)
		watched := []string{manager.Email, outsider.Email, "board@example.com", "customer@example.com"}
		had := map[string]int{}
		for _, addr := range watched {
			had[addr] = len(mp.subjectsTo(t, addr))
		}
		before := map[string]string{}
		for _, path := range []string{"/status", "/status/history", "/status/feed.atom"} {
			_, before[path] = get(t, m.Server.URL()+path)
		}
		version, _ := m.DB.StatusPageVersion(ctx)
		mailsBefore := mp.count(t)
		subHooksBefore := len(subHook.all())

		run, err := m.DB.StartDrill(actx, warroom.DrillRunRequest{Scenario: "database-deleted", ServiceIDs: []int64{svc.ID}})
		if err != nil {
			t.Fatal(err)
		}
		var inc *warroom.Incident
		eventually(t, m, "the drill incident", func() bool {
			r, err := m.DB.FindDrillRun(ctx, run.ID)
			if err != nil || r.IncidentID == nil {
				return false
			}
			inc, err = m.DB.FindIncidentByID(ctx, *r.IncidentID)
			return err == nil
		})
		if !inc.Drill {
			t.Fatalf("%s is not a drill", inc.Number)
		}
		page := mp.waitFor(t, oncall.Email, "[DRILL]")
		if !strings.Contains(page.Subject, inc.Number) || !strings.HasPrefix(page.Text, "[DRILL]") {
			t.Errorf("page = %q / %q, want marked DRILL", page.Subject, page.Text)
		}
		waitFor(t, 20*time.Second, "the webhook page", func() bool { return len(hook.of("page")) > 0 })
		if wp := hook.of("page")[0]; !strings.HasPrefix(wp.Text, "[DRILL]") {
			t.Errorf("webhook page text = %q, want marked DRILL", wp.Text)
		}

		// The escalation reaches its second level: the manager is not in
		// the drill and is not paged.
		clock.Add(61 * time.Second)
		settle(m)
		oc := warroom.NewContextWithUser(ctx, oncall)
		if _, err := m.DB.TransitionIncident(oc, inc.ID, warroom.StateAcknowledged, "on it"); err != nil {
			t.Fatal(err)
		}
		clock.Add(2 * time.Minute)
		for _, role := range []string{warroom.RoleCommander, warroom.RoleCommunications, warroom.RoleScribe} {
			if _, err := m.DB.AssignRole(oc, inc.ID, role, oncall.ID); err != nil {
				t.Fatal(err)
			}
		}
		clock.Add(3 * time.Minute)
		if err := m.DB.PostStatusUpdate(oc, inc.ID, &warroom.StatusUpdate{Audience: warroom.AudiencePublic, PublicStatus: warroom.PublicInvestigating,
			PublicTitle: "Orders cannot be placed", WhatHappened: "Checkout fails for every customer",
			Components: []warroom.ComponentImpact{{ComponentID: comp.ID, Status: warroom.ComponentMajorOutage}}}); err != nil {
			t.Fatal(err)
		}
		clock.Add(10 * time.Minute)
		if _, err := m.DB.TransitionIncident(oc, inc.ID, warroom.StateMitigated, "restored from the 5-day-old backup"); err != nil {
			t.Fatal(err)
		}
		// The stakeholder update reaches the one participant of Board.
		mp.waitFor(t, oncall.Email, "DRILL "+"[P0]")
		clock.Add(time.Minute)
		settle(m)

		t.Run("NobodyElse", func(t *testing.T) {
			for _, addr := range watched {
				if subjects := mp.subjectsTo(t, addr); len(subjects) != had[addr] {
					t.Errorf("%s received %q during the drill", addr, subjects[:len(subjects)-had[addr]])
				}
			}
			if n := len(subHook.all()); n != subHooksBefore {
				t.Errorf("webhook subscriber received %d messages", n-subHooksBefore)
			}
			if n := mp.count(t) - mailsBefore; n < 2 {
				t.Errorf("only %d emails during the drill; the checks above would prove nothing", n)
			}
		})
		t.Run("PublicPageUnchanged", func(t *testing.T) {
			if v, _ := m.DB.StatusPageVersion(ctx); v != version {
				t.Errorf("status page version %d -> %d", version, v)
			}
			for path, was := range before {
				_, now := get(t, m.Server.URL()+path)
				if strings.Contains(now, "Orders cannot be placed") || strings.Contains(now, "DRILL") {
					t.Errorf("%s shows the drill", path)
				}
				if path == "/status/feed.atom" && now != was {
					t.Errorf("the feed changed:\n%s\n---\n%s", was, now)
				}
			}
			pv, err := m.DB.DrillPreview(ctx, inc.ID)
			if err != nil || pv.Incident.Title != "Orders cannot be placed" {
				t.Errorf("preview = %+v, %v", pv, err)
			}
		})
		t.Run("Report", func(t *testing.T) {
			rep, err := c.DrillReport(ctx, run.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int64{warroom.MeasureAcknowledge: 61, warroom.MeasureRoles: 181, warroom.MeasureFirstUpdate: 361, warroom.MeasureMitigate: 961}
			for _, ms := range rep.Measures {
				if ms.Seconds == nil || *ms.Seconds != want[ms.Name] {
					t.Errorf("%s = %v s, want %d", ms.Name, ms.Seconds, want[ms.Name])
				}
			}
			if len(rep.SOP) != 5 || rep.SOP[0].Done {
				t.Errorf("sop = %+v", rep.SOP)
			}
		})
	})
}

// count is how many messages Mailpit holds.
func (m *mailpit) count(t *testing.T) int {
	t.Helper()
	var list struct{ Total int }
	if err := getJSON(m.api+"/api/v1/messages", &list); err != nil {
		t.Fatal(err)
	}
	return list.Total
}

// subjectsTo lists the subjects of every message to addr.
func (m *mailpit) subjectsTo(t *testing.T, addr string) []string {
	t.Helper()
	var list struct{ Messages []mailpitMessage }
	if err := getJSON(m.api+"/api/v1/messages?limit=500", &list); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, msg := range list.Messages {
		for _, to := range msg.To {
			if strings.EqualFold(to.Address, addr) {
				out = append(out, msg.Subject)
			}
		}
	}
	return out
}

// all returns every payload received.
func (h *hookReceiver) all() []hookPayload {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookPayload(nil), h.got...)
}
