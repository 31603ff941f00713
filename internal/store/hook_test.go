package store_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func (e *env) subscribe(t *testing.T, s *warroom.HookSubscription) *warroom.HookSubscription {
	t.Helper()
	if s.Name == "" {
		s.Name = "bridge"
	}
	if s.URL == "" {
		s.URL = "https://hooks.example.com/warroom?token=t0ken"
	}
	s.Active = true
	if err := e.db.CreateHookSubscription(e.ctx, s); err != nil {
		t.Fatalf("CreateHookSubscription: %v", err)
	}
	return s
}

// claimAll claims everything due now, repeatedly, as the delivery module
// does, and completes each with out; it returns the event types in the
// order they were claimed.
func (e *env) deliverAll(t *testing.T, out warroom.HookOutcome) []*warroom.HookSend {
	t.Helper()
	var got []*warroom.HookSend
	for range 100 {
		ss, err := e.db.ClaimHookDeliveries(e.ctx, e.clock.Now(), time.Minute, 50)
		if err != nil {
			t.Fatalf("ClaimHookDeliveries: %v", err)
		}
		if len(ss) == 0 {
			return got
		}
		for _, s := range ss {
			if err := e.db.CompleteHookDelivery(e.ctx, s.ID, e.clock.Now(), out); err != nil {
				t.Fatalf("CompleteHookDelivery: %v", err)
			}
		}
		got = append(got, ss...)
	}
	t.Fatal("deliveries never ran out")
	return nil
}

var okOutcome = warroom.HookOutcome{Status: 200}

// Events are queued in the transaction that records them, for the
// subscriptions whose filters they pass, and delivered with a signed body
// that names the event and the incident.
func TestHookSubscription_Deliveries(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		pay := e.service(t, "payments")
		other := e.service(t, "search")
		all := e.subscribe(t, &warroom.HookSubscription{Name: "all"})
		if !strings.HasPrefix(all.Secret, "whsec_") || all.URL != "https://hooks.example.com/warroom?token=t0ken" {
			t.Fatalf("created %+v", all)
		}
		p0 := e.subscribe(t, &warroom.HookSubscription{Name: "p0 payments", Severities: []warroom.Severity{warroom.P0}, ServiceIDs: []int64{pay.ID},
			EventTypes: []warroom.HookEventType{"incident.declared", "incident.state_changed"}})
		drills := e.subscribe(t, &warroom.HookSubscription{Name: "drills", Drills: true, EventTypes: []warroom.HookEventType{"incident.declared"}})

		big := e.declare(t, &warroom.Incident{Title: "Checkout down", Severity: warroom.P0, ServiceIDs: []int64{pay.ID}})
		small := e.declare(t, &warroom.Incident{Title: "Search slow", Severity: warroom.P3, ServiceIDs: []int64{other.ID}})
		drill := e.declare(t, &warroom.Incident{Title: "Rehearsal", Severity: warroom.P0, ServiceIDs: []int64{pay.ID}, Drill: true})
		if _, err := e.db.TransitionIncident(e.ctx, big.ID, warroom.StateAcknowledged, "on it"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.AddNote(e.ctx, big.ID, warroom.NoteInput{Text: "looking at the gateway"}); err != nil {
			t.Fatal(err)
		}

		sent := e.deliverAll(t, okOutcome)
		bySub := map[int64][]*warroom.HookSend{}
		for _, s := range sent {
			bySub[s.SubscriptionID] = append(bySub[s.SubscriptionID], s)
		}
		for _, s := range bySub[p0.ID] {
			if s.IncidentID != big.ID || (s.EventType != "incident.declared" && s.EventType != "incident.state_changed") {
				t.Errorf("p0 subscription got %s of %s", s.EventType, s.IncidentNumber)
			}
		}
		if n := len(bySub[p0.ID]); n != 2 {
			t.Errorf("p0 subscription got %d deliveries, want 2", n)
		}
		for _, s := range bySub[all.ID] {
			if s.IncidentID == drill.ID {
				t.Errorf("a drill's %s reached a subscription without drills", s.EventType)
			}
		}
		var sawSmall, sawNote bool
		for _, s := range bySub[all.ID] {
			sawSmall = sawSmall || s.IncidentID == small.ID
			sawNote = sawNote || s.EventType == "incident.note"
		}
		if !sawSmall || !sawNote {
			t.Errorf("unfiltered subscription: small incident %v, note %v", sawSmall, sawNote)
		}
		if n := len(bySub[drills.ID]); n != 3 {
			t.Errorf("drills subscription got %d declarations, want 3", n)
		}

		// The body is the documented payload, and the secret travels with
		// the claim for signing.
		s := bySub[p0.ID][0]
		var p warroom.HookPayload
		if err := json.Unmarshal([]byte(s.Body), &p); err != nil {
			t.Fatal(err)
		}
		if p.ID != s.ID || p.Type != "incident.declared" || p.Incident.Number != big.Number || p.Incident.Severity != warroom.P0 ||
			len(p.Incident.Services) != 1 || p.Incident.Services[0] != "payments" || s.Secret != p0.Secret || s.URL != p0.URL {
			t.Errorf("payload %+v secret ok=%v", p, s.Secret == p0.Secret)
		}

		got, err := e.db.FindHookSubscriptionByID(e.ctx, p0.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Secret != "" || got.LastStatus != 200 || got.LastSuccessAt == nil || got.Pending != 0 {
			t.Errorf("after delivery: %+v", got)
		}
	})
}

// An endpoint that fails is retried after a back-off while the events of
// the same incident wait behind the failing one, so that they arrive in
// order; once it answers, every event arrives exactly once.
func TestHookDelivery_RetryInOrder(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		sub := e.subscribe(t, &warroom.HookSubscription{})
		inc := e.declare(t, &warroom.Incident{Title: "Checkout down", Severity: warroom.P1})
		for _, to := range []warroom.State{warroom.StateAcknowledged, warroom.StateInvestigating} {
			if _, err := e.db.TransitionIncident(e.ctx, inc.ID, to, ""); err != nil {
				t.Fatal(err)
			}
		}
		fail := warroom.HookOutcome{Status: 503, Error: "receiver answered 503", Retry: true}
		var heads []int64
		for i := range 3 {
			ss, err := e.db.ClaimHookDeliveries(e.ctx, e.clock.Now(), time.Minute, 50)
			if err != nil {
				t.Fatal(err)
			}
			if len(ss) != 1 {
				t.Fatalf("attempt %d: claimed %d, want the head of the incident's queue alone", i+1, len(ss))
			}
			heads = append(heads, ss[0].ID)
			if err := e.db.CompleteHookDelivery(e.ctx, ss[0].ID, e.clock.Now(), fail); err != nil {
				t.Fatal(err)
			}
			// Nothing is due until the back-off has passed.
			if again, err := e.db.ClaimHookDeliveries(e.ctx, e.clock.Now(), time.Minute, 50); err != nil || len(again) != 0 {
				t.Fatalf("claimed %d during the back-off (%v)", len(again), err)
			}
			e.clock.Add(warroom.HookBackoff(i + 1))
		}
		if heads[0] != heads[1] || heads[1] != heads[2] {
			t.Errorf("retried %v, want the same delivery", heads)
		}
		s, _ := e.db.FindHookSubscriptionByID(e.ctx, sub.ID)
		if s.ConsecutiveFailures != 3 || s.LastStatus != 503 || !s.Failing() {
			t.Errorf("failing endpoint: %+v", s)
		}

		sent := e.deliverAll(t, okOutcome)
		var ids []int64
		seen := map[int64]bool{}
		for _, x := range sent {
			if seen[x.EventID] {
				t.Errorf("event %d delivered twice", x.EventID)
			}
			seen[x.EventID] = true
			ids = append(ids, x.EventID)
		}
		for i := 1; i < len(ids); i++ {
			if ids[i] < ids[i-1] {
				t.Errorf("delivered events %v out of order", ids)
			}
		}
		evs := e.events(t, inc.ID)
		want := 0
		for _, ev := range evs {
			if warroom.HookEventTypeOf(ev.Kind) != "" {
				want++
			}
		}
		if len(ids) != want {
			t.Errorf("delivered %d events, want the %d hookable events on the timeline", len(ids), want)
		}
		d, err := e.db.FindHookDeliveryByID(e.ctx, heads[0])
		if err != nil {
			t.Fatal(err)
		}
		if d.State != warroom.HookDelivered || d.Attempts != 4 || len(d.Log) != 4 || d.Log[0].Status != 503 || d.Log[3].Status != 200 {
			t.Errorf("delivery log %+v", d)
		}
		if s, _ = e.db.FindHookSubscriptionByID(e.ctx, sub.ID); s.ConsecutiveFailures != 0 {
			t.Errorf("recovered endpoint still failing: %+v", s)
		}

		// Redelivery sends the same body once more and is logged as such.
		if _, err := e.db.RedeliverHook(e.ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.db.RedeliverHook(e.ctx, d.ID)
		wantCode(t, err, warroom.ECONFLICT)
		again := e.deliverAll(t, okOutcome)
		if len(again) != 1 || again[0].ID != d.ID || again[0].Body != d.Body {
			t.Fatalf("redelivered %d", len(again))
		}
		d, _ = e.db.FindHookDeliveryByID(e.ctx, d.ID)
		if len(d.Log) != 5 || !d.Log[4].Redelivery {
			t.Errorf("log after redelivery %+v", d.Log)
		}
		if n := len(e.audits(t, warroom.AuditHookRedeliver)); n != 1 {
			t.Errorf("redeliver audit rows = %d", n)
		}
	})
}

// A permanent failure is given up at once and does not hold back the
// incident's later events; a retryable one is given up after
// MaxHookAttempts.
func TestHookDelivery_GiveUp(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		sub := e.subscribe(t, &warroom.HookSubscription{EventTypes: []warroom.HookEventType{"incident.declared", "incident.note"}})
		inc := e.declare(t, &warroom.Incident{Title: "Checkout down", Severity: warroom.P1})
		if _, err := e.db.AddNote(e.ctx, inc.ID, warroom.NoteInput{Text: "one"}); err != nil {
			t.Fatal(err)
		}
		ss, _ := e.db.ClaimHookDeliveries(e.ctx, e.clock.Now(), time.Minute, 50)
		if len(ss) != 1 || ss[0].EventType != "incident.declared" {
			t.Fatalf("claimed %v", ss)
		}
		if err := e.db.CompleteHookDelivery(e.ctx, ss[0].ID, e.clock.Now(), warroom.HookOutcome{Status: 410, Error: "gone"}); err != nil {
			t.Fatal(err)
		}
		ss, _ = e.db.ClaimHookDeliveries(e.ctx, e.clock.Now(), time.Minute, 50)
		if len(ss) != 1 || ss[0].EventType != "incident.note" {
			t.Fatalf("after a permanent failure claimed %v", ss)
		}
		for i := 0; i < warroom.MaxHookAttempts; i++ {
			if i > 0 {
				e.clock.Add(warroom.HookBackoff(i))
				ss, _ = e.db.ClaimHookDeliveries(e.ctx, e.clock.Now(), time.Minute, 50)
				if len(ss) != 1 {
					t.Fatalf("attempt %d: claimed %d", i+1, len(ss))
				}
			}
			if err := e.db.CompleteHookDelivery(e.ctx, ss[0].ID, e.clock.Now(), warroom.HookOutcome{Error: "connection refused", Retry: true}); err != nil {
				t.Fatal(err)
			}
		}
		failed := warroom.HookFailed
		ds, n, err := e.db.FindHookDeliveries(e.ctx, warroom.HookDeliveryFilter{SubscriptionID: sub.ID, State: &failed})
		if err != nil || n != 2 || len(ds) != 2 {
			t.Fatalf("failed deliveries %d (%v)", n, err)
		}
		if ds[0].Attempts != warroom.MaxHookAttempts || ds[1].Attempts != 1 || ds[1].LastStatus != 410 {
			t.Errorf("failed %+v %+v", ds[0], ds[1])
		}
	})
}

// Bad input names its field and writes nothing; a paused subscription
// queues nothing; deleting removes the queue with it.
func TestHookSubscription_Validation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		for _, tc := range []struct {
			s     warroom.HookSubscription
			field string
		}{
			{warroom.HookSubscription{URL: "https://x.example.com"}, "name"},
			{warroom.HookSubscription{Name: "x", URL: "ftp://x.example.com"}, "url"},
			{warroom.HookSubscription{Name: "x", URL: "https://x.example.com", EventTypes: []warroom.HookEventType{"incident.exploded"}}, "event_types[0]"},
			{warroom.HookSubscription{Name: "x", URL: "https://x.example.com", Severities: []warroom.Severity{"P9"}}, "severities[0]"},
			{warroom.HookSubscription{Name: "x", URL: "https://x.example.com", IncidentTypes: []warroom.IncidentType{"meteor"}}, "incident_types[0]"},
			{warroom.HookSubscription{Name: "x", URL: "https://x.example.com", ServiceIDs: []int64{-1}}, "service_ids[0]"},
		} {
			err := e.db.CreateHookSubscription(e.ctx, &tc.s)
			wantCode(t, err, warroom.EINVALID)
			wantField(t, err, tc.field)
		}
		err := e.db.CreateHookSubscription(e.ctx, &warroom.HookSubscription{Name: "x", URL: "https://x.example.com", ServiceIDs: []int64{999}})
		wantCode(t, err, warroom.ENOTFOUND)
		if subs, _ := e.db.FindHookSubscriptions(e.ctx); len(subs) != 0 {
			t.Fatalf("bad input wrote %d subscriptions", len(subs))
		}

		sub := e.subscribe(t, &warroom.HookSubscription{})
		_, err = e.db.UpdateHookSubscription(e.ctx, sub.ID, warroom.HookSubscriptionUpdate{URL: ptr("not a url")})
		wantField(t, err, "url")
		if _, err := e.db.UpdateHookSubscription(e.ctx, sub.ID, warroom.HookSubscriptionUpdate{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		e.declare(t, &warroom.Incident{Title: "Quiet", Severity: warroom.P2})
		if got := e.deliverAll(t, okOutcome); len(got) != 0 {
			t.Errorf("a paused subscription got %d deliveries", len(got))
		}
		rot, err := e.db.RotateHookSecret(e.ctx, sub.ID)
		if err != nil || rot.Secret == "" || rot.Secret == sub.Secret {
			t.Fatalf("rotate: %v", err)
		}
		if err := e.db.DeleteHookSubscription(e.ctx, sub.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.db.FindHookSubscriptionByID(e.ctx, sub.ID)
		wantCode(t, err, warroom.ENOTFOUND)
		for _, a := range []warroom.AuditAction{warroom.AuditHookCreate, warroom.AuditHookUpdate, warroom.AuditHookRotate, warroom.AuditHookDelete} {
			if len(e.audits(t, a)) != 1 {
				t.Errorf("no single %s audit row", a)
			}
		}
		for _, a := range e.audits(t, warroom.AuditHookCreate) {
			if strings.Contains(string(a.Data), "t0ken") {
				t.Errorf("the URL's token is in the audit log: %s", a.Data)
			}
		}
	})
}

// Two claimers at once never get the same delivery: on PostgreSQL the
// second skips the rows the first holds.
func TestHookDelivery_ClaimOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		e.subscribe(t, &warroom.HookSubscription{EventTypes: []warroom.HookEventType{"incident.declared"}})
		for range 20 {
			e.declare(t, &warroom.Incident{Title: "One of many", Severity: warroom.P3})
		}
		type res struct {
			ss  []*warroom.HookSend
			err error
		}
		ch := make(chan res, 4)
		for range 4 {
			go func() {
				ss, err := e.db.ClaimHookDeliveries(e.ctx, e.clock.Now(), time.Minute, 50)
				ch <- res{ss, err}
			}()
		}
		seen := map[int64]bool{}
		total := 0
		for range 4 {
			r := <-ch
			if r.err != nil {
				t.Fatal(r.err)
			}
			for _, s := range r.ss {
				if seen[s.ID] {
					t.Errorf("delivery %d claimed twice", s.ID)
				}
				seen[s.ID] = true
				total++
			}
		}
		if total != 20 {
			t.Errorf("claimed %d, want 20", total)
		}
	})
}
