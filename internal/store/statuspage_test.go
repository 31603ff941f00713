package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestStakeholders(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		member, _, _ := storetest.User(t, e.db, warroom.UserRoleViewer)
		g := &warroom.StakeholderGroup{Name: "Management", MemberIDs: []int64{member.ID, member.ID},
			Channels: []warroom.StakeholderChannel{{Kind: warroom.ChannelEmail, Target: "Board@Example.com", Locale: "zh-CN"}}}
		if err := e.db.CreateStakeholderGroup(e.ctx, g); err != nil {
			t.Fatal(err)
		}
		t.Run("ErrConflict", func(t *testing.T) {
			err := e.db.CreateStakeholderGroup(e.ctx, &warroom.StakeholderGroup{Name: "Management"})
			if warroom.ErrorCode(err) != warroom.ECONFLICT {
				t.Errorf("err = %v, want conflict", err)
			}
		})
		t.Run("ErrNotFoundMember", func(t *testing.T) {
			err := e.db.CreateStakeholderGroup(e.ctx, &warroom.StakeholderGroup{Name: "PR", MemberIDs: []int64{999}})
			if warroom.ErrorCode(err) != warroom.ENOTFOUND || warroom.ErrorField(err) != "member_ids[0]" {
				t.Errorf("err = %v, want not found on member_ids[0]", err)
			}
		})
		got, err := e.db.FindStakeholderGroupByID(e.ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.MemberIDs) != 1 || got.Channels[0].Target != "board@example.com" {
			t.Errorf("group = %+v, want one member and a lower-cased address", got)
		}
		legal := &warroom.StakeholderGroup{Name: "Legal"}
		if err := e.db.CreateStakeholderGroup(e.ctx, legal); err != nil {
			t.Fatal(err)
		}
		all := []warroom.StakeholderTrigger{warroom.TriggerDeclare, warroom.TriggerUpdate, warroom.TriggerResolve}
		rules := []warroom.ScopeRule{{Severity: warroom.P0, GroupID: g.ID, Triggers: all}, {Type: warroom.TypeSecurityBreach, GroupID: legal.ID, Triggers: all}}
		if err := e.db.ReplaceScopeRules(e.ctx, append(rules, warroom.ScopeRule{Severity: warroom.P1, GroupID: 404, Triggers: all})); warroom.ErrorField(err) != "rules[2].group_id" {
			t.Errorf("unknown group: err = %v", err)
		}
		if err := e.db.ReplaceScopeRules(e.ctx, rules); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.db.FindScopeRules(e.ctx); len(got) != 2 || got[1].GroupID != legal.ID {
			t.Errorf("rules = %+v", got)
		}
		if err := e.db.DeleteStakeholderGroup(e.ctx, legal.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.db.FindScopeRules(e.ctx); len(got) != 1 {
			t.Errorf("rules after deleting a group = %+v, want its rule gone", got)
		}
		if n := len(e.audits(t, warroom.AuditScopeRulesUpdate)); n != 1 {
			t.Errorf("scope audit rows = %d, want 1", n)
		}
	})
}

// TestStatusUpdates covers a public update end to end in the store: the
// timeline, the status page, the notice and the declare/resolve notices
// the queue derives from the timeline.
func TestStatusUpdates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		api := &warroom.Component{Name: "API", Group: "Core"}
		web := &warroom.Component{Name: "Website", Group: "Core"}
		for _, c := range []*warroom.Component{api, web} {
			if err := e.db.CreateComponent(e.ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		v0, _ := e.db.StatusPageVersion(e.ctx)
		inc := e.declare(t, &warroom.Incident{Title: "db-7 primary lost", Severity: warroom.P0})
		next := e.clock.Now().Add(30 * time.Minute)
		u := &warroom.StatusUpdate{Audience: warroom.AudiencePublic, WhatHappened: "Checkout fails", PublicStatus: warroom.PublicInvestigating,
			PublicTitle: "Checkout errors", NextUpdateBy: &next, Components: []warroom.ComponentImpact{{ComponentID: api.ID, Status: warroom.ComponentMajorOutage}}}
		if err := e.db.PostStatusUpdate(e.ctx, inc.ID, u); err != nil {
			t.Fatal(err)
		}
		t.Run("ErrNotFoundComponent", func(t *testing.T) {
			bad := &warroom.StatusUpdate{Audience: warroom.AudiencePublic, WhatHappened: "x", PublicStatus: warroom.PublicIdentified,
				Components: []warroom.ComponentImpact{{ComponentID: 999, Status: warroom.ComponentDegraded}}}
			if err := e.db.PostStatusUpdate(e.ctx, inc.ID, bad); warroom.ErrorCode(err) != warroom.ENOTFOUND || warroom.ErrorField(err) != "components[0].component_id" {
				t.Errorf("err = %v", err)
			}
			us, _ := e.db.FindStatusUpdates(e.ctx, inc.ID)
			if len(us) != 1 {
				t.Errorf("updates = %d after a refused one, want 1: nothing half-written", len(us))
			}
		})
		if v, _ := e.db.StatusPageVersion(e.ctx); v <= v0 {
			t.Errorf("version %d did not advance from %d", v, v0)
		}
		cs, _ := e.db.FindComponents(e.ctx)
		if cs[0].Name != "API" || cs[0].Status != warroom.ComponentMajorOutage || cs[1].Status != warroom.ComponentOperational {
			t.Errorf("components = %s %s, %s %s", cs[0].Name, cs[0].Status, cs[1].Name, cs[1].Status)
		}
		active := true
		ps, n, err := e.db.FindPublicIncidents(e.ctx, warroom.PublicIncidentFilter{Active: &active})
		if err != nil || n != 1 {
			t.Fatalf("public incidents = %d, %v", n, err)
		}
		if p := ps[0]; p.Title != "Checkout errors" || p.Impact != warroom.ComponentMajorOutage || len(p.Updates) != 1 || len(p.Components) != 1 {
			t.Errorf("public incident = %+v", p)
		}

		// The declare event and the update each become one notice, however
		// often the queue is scanned.
		for range 2 {
			if _, err := e.db.QueueDueNotices(e.ctx, e.clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		kinds := noticeKinds(t, e)
		if kinds[warroom.NoticeDeclared] != 1 || kinds[warroom.NoticeStatusUpdate] != 1 || len(kinds) != 2 {
			t.Errorf("notices = %v, want one declared and one status_update", kinds)
		}

		resolve := &warroom.StatusUpdate{Audience: warroom.AudiencePublic, WhatHappened: "Fixed", PublicStatus: warroom.PublicResolved}
		if err := e.db.PostStatusUpdate(e.ctx, inc.ID, resolve); err != nil {
			t.Fatal(err)
		}
		if cs, _ := e.db.FindComponents(e.ctx); cs[0].Status != warroom.ComponentOperational {
			t.Errorf("API after resolve = %s, want operational", cs[0].Status)
		}
		if _, err := e.db.TransitionIncident(e.ctx, inc.ID, warroom.StateResolved, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.QueueDueNotices(e.ctx, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if kinds := noticeKinds(t, e); kinds[warroom.NoticeResolved] != 1 {
			t.Errorf("notices = %v, want one resolved", kinds)
		}
		changes, err := e.db.FindStatusChanges(e.ctx, e.clock.Now().Add(-time.Hour))
		if err != nil || len(changes) != 4 {
			t.Errorf("status changes = %+v, %v; want 4 (two created, outage, recovery)", changes, err)
		}
	})
}

func noticeKinds(t *testing.T, e *env) map[warroom.NoticeKind]int {
	t.Helper()
	ns, err := e.db.PendingNotices(e.ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	m := map[warroom.NoticeKind]int{}
	for _, n := range ns {
		m[n.Kind]++
	}
	return m
}

// TestNextUpdateTimer fast-forwards the clock past the promised time: the
// timer fires once, names the communications role and lands on the
// timeline; a newer update without a promise disarms it.
func TestNextUpdateTimer(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		comms, _, _ := storetest.User(t, e.db, warroom.UserRoleResponder)
		inc := e.declare(t, &warroom.Incident{Title: "Slow search", Severity: warroom.P2})
		if _, err := e.db.AssignRole(e.ctx, inc.ID, warroom.RoleCommunications, comms.ID); err != nil {
			t.Fatal(err)
		}
		next := e.clock.Now().Add(time.Hour)
		if err := e.db.PostStatusUpdate(e.ctx, inc.ID, &warroom.StatusUpdate{WhatHappened: "Looking", NextUpdateBy: &next}); err != nil {
			t.Fatal(err)
		}
		overdue := func() int {
			t.Helper()
			if _, err := e.db.QueueDueNotices(e.ctx, e.clock.Now()); err != nil {
				t.Fatal(err)
			}
			return noticeKinds(t, e)[warroom.NoticeUpdateOverdue]
		}
		e.clock.Add(59 * time.Minute)
		if n := overdue(); n != 0 {
			t.Errorf("overdue notices before the deadline = %d, want 0", n)
		}
		e.clock.Add(2 * time.Minute)
		if n := overdue(); n != 1 {
			t.Fatalf("overdue notices after the deadline = %d, want 1", n)
		}
		e.clock.Add(time.Hour)
		if n := overdue(); n != 1 {
			t.Errorf("overdue notices an hour later = %d, want still 1", n)
		}
		ns, _ := e.db.PendingNotices(e.ctx, 100)
		var id int64
		for _, n := range ns {
			if n.Kind == warroom.NoticeUpdateOverdue {
				id = n.ID
			}
		}
		nc, err := e.db.LoadNotice(e.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if nc.Communicator == nil || nc.Communicator.ID != comms.ID {
			t.Errorf("communicator = %+v, want %s", nc.Communicator, comms.Name)
		}
		evs, _, _ := e.db.FindEvents(e.ctx, warroom.EventFilter{IncidentID: inc.ID, Kinds: []warroom.EventKind{warroom.EventStatusUpdateDue}})
		if len(evs) != 1 {
			t.Errorf("status_update_due events = %d, want 1", len(evs))
		}

		// A new promise re-arms; an update without one disarms.
		next = e.clock.Now().Add(10 * time.Minute)
		if err := e.db.PostStatusUpdate(e.ctx, inc.ID, &warroom.StatusUpdate{WhatHappened: "Still looking", NextUpdateBy: &next}); err != nil {
			t.Fatal(err)
		}
		if err := e.db.PostStatusUpdate(e.ctx, inc.ID, &warroom.StatusUpdate{WhatHappened: "Found it"}); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(time.Hour)
		if n := overdue(); n != 1 {
			t.Errorf("overdue notices after disarming = %d, want still 1", n)
		}
	})
}

func TestSubscribers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		c := &warroom.Component{Name: "API"}
		if err := e.db.CreateComponent(e.ctx, c); err != nil {
			t.Fatal(err)
		}
		s := &warroom.Subscriber{Kind: warroom.ChannelEmail, Target: "Ana@Example.com", ComponentIDs: []int64{c.ID}}
		if err := e.db.Subscribe(e.ctx, s); err != nil {
			t.Fatal(err)
		}
		if len(s.Token) != 64 || s.ConfirmedAt != nil || s.Target != "ana@example.com" {
			t.Fatalf("subscriber = %+v", s)
		}
		again := &warroom.Subscriber{Kind: warroom.ChannelEmail, Target: "ana@example.com"}
		if err := e.db.Subscribe(e.ctx, again); err != nil || again.ID != s.ID {
			t.Errorf("resubscribe: %v, id %d want %d", err, again.ID, s.ID)
		}
		if k := noticeKinds(t, e)[warroom.NoticeConfirm]; k != 2 {
			t.Errorf("confirm notices = %d, want 2 (the link is sent again)", k)
		}
		if _, err := e.db.ConfirmSubscriber(e.ctx, "nope"); warroom.ErrorCode(err) != warroom.ENOTFOUND {
			t.Errorf("bad token: %v", err)
		}
		got, err := e.db.ConfirmSubscriber(e.ctx, s.Token)
		if err != nil || got.ConfirmedAt == nil {
			t.Fatalf("confirm: %+v, %v", got, err)
		}
		hook := &warroom.Subscriber{Kind: warroom.ChannelWebhook, Target: "https://hooks.example.com/x"}
		if err := e.db.Subscribe(e.ctx, hook); err != nil || hook.Secret == "" || hook.ConfirmedAt == nil {
			t.Fatalf("webhook: %+v, %v", hook, err)
		}
		list, n, err := e.db.FindSubscribers(e.ctx, warroom.SubscriberFilter{})
		if err != nil || n != 2 {
			t.Fatalf("subscribers = %d, %v", n, err)
		}
		for _, s := range list {
			if s.Token != "" || s.Secret != "" {
				t.Errorf("listed subscriber %d carries its token or secret", s.ID)
			}
		}
		if err := e.db.Unsubscribe(e.ctx, s.Token); err != nil {
			t.Fatal(err)
		}
		if err := e.db.Unsubscribe(e.ctx, s.Token); warroom.ErrorCode(err) != warroom.ENOTFOUND {
			t.Errorf("second unsubscribe: %v, want not found", err)
		}
	})
}

func TestDeliveries(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		if err := e.db.Subscribe(e.ctx, &warroom.Subscriber{Kind: warroom.ChannelEmail, Target: "ana@example.com"}); err != nil {
			t.Fatal(err)
		}
		ns, _ := e.db.PendingNotices(e.ctx, 10)
		ds := []*warroom.Delivery{{Channel: warroom.ChannelEmail, Target: "ana@example.com", Subject: "s", Body: "b", Headers: map[string]string{"X": "y"}}}
		for range 2 {
			if err := e.db.CompleteNotice(e.ctx, ns[0].ID, ds); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := e.db.FindDeliveries(e.ctx, ns[0].ID); len(got) != 1 {
			t.Fatalf("deliveries = %d after completing twice, want 1", len(got))
		}
		now := e.clock.Now()
		claimed, err := e.db.ClaimDeliveries(e.ctx, now, time.Minute, 10)
		if err != nil || len(claimed) != 1 || claimed[0].Headers["X"] != "y" || claimed[0].Attempts != 1 {
			t.Fatalf("claimed = %+v, %v", claimed, err)
		}
		if again, _ := e.db.ClaimDeliveries(e.ctx, now, time.Minute, 10); len(again) != 0 {
			t.Errorf("claimed again while leased: %d", len(again))
		}
		retry := now.Add(30 * time.Second)
		if err := e.db.FinishDelivery(e.ctx, claimed[0].ID, errors.New("421 try later"), &retry); err != nil {
			t.Fatal(err)
		}
		claimed, _ = e.db.ClaimDeliveries(e.ctx, retry, time.Minute, 10)
		if len(claimed) != 1 || claimed[0].LastError != "421 try later" {
			t.Fatalf("retry claim = %+v", claimed)
		}
		if err := e.db.FinishDelivery(e.ctx, claimed[0].ID, nil, nil); err != nil {
			t.Fatal(err)
		}
		got, _ := e.db.FindDeliveries(e.ctx, ns[0].ID)
		if got[0].DeliveredAt == nil || got[0].Attempts != 2 {
			t.Errorf("delivery = %+v, want delivered after 2 attempts", got[0])
		}
	})
}
