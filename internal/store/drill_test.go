package store_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// reachable creates a user with a verified email contact method.
func (e *env) reachable(t *testing.T, name string) *warroom.User {
	t.Helper()
	u := &warroom.User{Name: name, Email: name + "@example.com", Role: warroom.UserRoleResponder}
	if err := e.db.CreateUser(e.ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := store.ExecSQL(e.ctx, e.db, `INSERT INTO contact_methods (user_id, type, name, address_sealed, verified_at, created_at) VALUES (?, 'email', 'work', ?, ?, ?)`,
		u.ID, "plain:"+u.Email, e.clock.Now(), e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	return u
}

// oncallService creates a service whose policy pages oncall first and
// manager second.
func (e *env) oncallService(t *testing.T, name string, oncall, manager *warroom.User) *warroom.Service {
	t.Helper()
	s := e.service(t, name)
	p := &warroom.EscalationPolicy{Name: name + " policy", Repeat: 0, Levels: []warroom.EscalationLevel{
		{DelaySeconds: 300, Targets: []warroom.EscalationTarget{{Type: warroom.TargetUser, ID: oncall.ID}}},
		{DelaySeconds: 300, Targets: []warroom.EscalationTarget{{Type: warroom.TargetUser, ID: manager.ID}}},
	}}
	if err := e.db.CreateEscalationPolicy(e.ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := e.db.SetServiceEscalationPolicy(e.ctx, s.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	return s
}

func (e *env) notifiedUsers(t *testing.T, incidentID int64) []int64 {
	t.Helper()
	ns, _, err := e.db.FindNotifications(e.ctx, warroom.NotificationFilter{IncidentID: &incidentID, Limit: warroom.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, n := range ns {
		if !slices.Contains(out, n.UserID) {
			out = append(out, n.UserID)
		}
	}
	return out
}

// TestDrillIsolation proves a drill keeps to its participants: its public
// update changes nothing on the status page, its notices skip subscribers
// and stakeholders outside it, and its pages go to participants only;
// sending one update to the real world is possible, and audited.
func TestDrillIsolation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		oncall, manager, outsider := e.reachable(t, "oncall"), e.reachable(t, "manager"), e.reachable(t, "outsider")
		svc := e.oncallService(t, "orders", oncall, manager)
		api := &warroom.Component{Name: "API", ServiceID: &svc.ID}
		if err := e.db.CreateComponent(e.ctx, api); err != nil {
			t.Fatal(err)
		}
		g := &warroom.StakeholderGroup{Name: "Board", MemberIDs: []int64{oncall.ID, outsider.ID},
			Channels: []warroom.StakeholderChannel{{Kind: warroom.ChannelEmail, Target: "board@example.com"}}}
		if err := e.db.CreateStakeholderGroup(e.ctx, g); err != nil {
			t.Fatal(err)
		}
		all := []warroom.StakeholderTrigger{warroom.TriggerDeclare, warroom.TriggerUpdate, warroom.TriggerResolve}
		if err := e.db.ReplaceScopeRules(e.ctx, []warroom.ScopeRule{{Severity: warroom.P0, GroupID: g.ID, Triggers: all}}); err != nil {
			t.Fatal(err)
		}
		if err := e.db.Subscribe(e.ctx, &warroom.Subscriber{Kind: warroom.ChannelWebhook, Target: "https://hooks.example.com/x"}); err != nil {
			t.Fatal(err)
		}
		if err := store.ExecSQL(e.ctx, e.db, `UPDATE subscribers SET confirmed_at = ?`, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		v0, _ := e.db.StatusPageVersion(e.ctx)

		inc := e.declare(t, &warroom.Incident{Title: "orders-db deleted", Severity: warroom.P0, ServiceIDs: []int64{svc.ID}, Drill: true})
		ids, err := e.db.FindDrillParticipants(e.ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := []int64{e.admin.ID, oncall.ID}; !slices.Equal(ids, want) {
			t.Fatalf("participants = %v, want the declarer and the on-call %v", ids, want)
		}

		u := &warroom.StatusUpdate{Audience: warroom.AudiencePublic, WhatHappened: "Checkout fails", PublicStatus: warroom.PublicInvestigating,
			PublicTitle: "Checkout errors", Components: []warroom.ComponentImpact{{ComponentID: api.ID, Status: warroom.ComponentMajorOutage}}}
		if err := e.db.PostStatusUpdate(e.ctx, inc.ID, u); err != nil {
			t.Fatal(err)
		}
		t.Run("StatusPageUnchanged", func(t *testing.T) {
			if v, _ := e.db.StatusPageVersion(e.ctx); v != v0 {
				t.Errorf("status page version %d -> %d, want unchanged", v0, v)
			}
			ps, n, err := e.db.FindPublicIncidents(e.ctx, warroom.PublicIncidentFilter{})
			if err != nil || n != 0 || len(ps) != 0 {
				t.Errorf("public incidents = %d (%v), want none", n, err)
			}
			cs, _ := e.db.FindComponents(e.ctx)
			if cs[0].Status != warroom.ComponentOperational {
				t.Errorf("component status = %s, want operational", cs[0].Status)
			}
		})
		t.Run("Preview", func(t *testing.T) {
			p, err := e.db.DrillPreview(e.ctx, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if p.Incident.Title != "Checkout errors" || len(p.Incident.Updates) != 1 || p.Components[0].Status != warroom.ComponentMajorOutage {
				t.Errorf("preview = %+v %+v", p.Incident, p.Components)
			}
			real := e.declare(t, &warroom.Incident{Title: "real", Severity: warroom.P3})
			if _, err := e.db.DrillPreview(e.ctx, real.ID); warroom.ErrorCode(err) != warroom.EINVALID {
				t.Errorf("preview of a real incident: err = %v, want invalid", err)
			}
		})
		t.Run("NoticeKeptToParticipants", func(t *testing.T) {
			ns, err := e.db.PendingNotices(e.ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			var found bool
			for _, n := range ns {
				if n.StatusUpdateID != u.ID {
					continue
				}
				found = true
				nc, err := e.db.LoadNotice(e.ctx, n.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(nc.Subscribers) != 0 || nc.PublicIncident != nil {
					t.Errorf("subscribers = %d, public incident = %v, want none", len(nc.Subscribers), nc.PublicIncident)
				}
				if len(nc.Groups) != 1 || !slices.Equal(nc.Groups[0].MemberIDs, []int64{oncall.ID}) || len(nc.Groups[0].Channels) != 0 {
					t.Errorf("groups = %+v, want Board with the on-call alone and no channels", nc.Groups)
				}
			}
			if !found {
				t.Fatal("no notice for the update")
			}
		})
		t.Run("PagesParticipantsOnly", func(t *testing.T) {
			if err := e.db.Page(e.ctx, warroom.PageRequest{UserID: outsider.ID, IncidentID: inc.ID, Message: "join"}); err != nil && warroom.ErrorCode(err) == "" {
				t.Fatal(err)
			}
			for range 3 {
				e.clock.Add(301e9)
				if _, err := e.db.FireEscalations(e.ctx, e.clock.Now(), 100); err != nil {
					t.Fatal(err)
				}
			}
			got := e.notifiedUsers(t, inc.ID)
			if !slices.Equal(got, []int64{oncall.ID}) {
				t.Errorf("paged users = %v, want only the on-call %d (not manager %d or outsider %d)", got, oncall.ID, manager.ID, outsider.ID)
			}
		})
		t.Run("RoleMakesParticipant", func(t *testing.T) {
			if _, err := e.db.AssignRole(e.ctx, inc.ID, warroom.RoleScribe, manager.ID); err != nil {
				t.Fatal(err)
			}
			ids, _ := e.db.FindDrillParticipants(e.ctx, inc.ID)
			if !slices.Contains(ids, manager.ID) {
				t.Errorf("participants = %v, want the scribe %d", ids, manager.ID)
			}
		})
		t.Run("RealWorld", func(t *testing.T) {
			real := e.declare(t, &warroom.Incident{Title: "real", Severity: warroom.P3})
			bad := &warroom.StatusUpdate{Audience: warroom.AudiencePublic, WhatHappened: "x", PublicStatus: warroom.PublicInvestigating, RealWorld: true}
			if err := e.db.PostStatusUpdate(e.ctx, real.ID, bad); warroom.ErrorField(err) != "real_world" {
				t.Errorf("real_world on a real incident: err = %v", err)
			}
			out := &warroom.StatusUpdate{Audience: warroom.AudiencePublic, WhatHappened: "We are running a drill today", PublicStatus: warroom.PublicMonitoring, RealWorld: true}
			if err := e.db.PostStatusUpdate(e.ctx, inc.ID, out); err != nil {
				t.Fatal(err)
			}
			if _, n, _ := e.db.FindPublicIncidents(e.ctx, warroom.PublicIncidentFilter{}); n != 1 {
				t.Errorf("public incidents = %d, want the one sent out", n)
			}
			if n := len(e.audits(t, warroom.AuditDrillRealWorld)); n != 1 {
				t.Errorf("real-world audit rows = %d, want 1", n)
			}
		})
	})
}

func TestDrillCountsAsReal(t *testing.T) {
	for _, c := range []struct {
		drill bool
		want  bool
	}{{false, true}, {true, false}} {
		t.Run(fmt.Sprint(c.drill), func(t *testing.T) {
			if got := (&warroom.Incident{Drill: c.drill}).CountsAsReal(); got != c.want {
				t.Errorf("CountsAsReal = %v, want %v", got, c.want)
			}
		})
	}
}
