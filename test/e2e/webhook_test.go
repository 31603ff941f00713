package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/client"
	"github.com/warroomhq/warroom/cmd/warroom/app"
	"github.com/warroomhq/warroom/internal/notify/webhook"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// flakyEndpoint is a subscriber's endpoint that verifies every request as
// docs/automation.md tells receivers to, answers 503 to the first few and
// keeps what it accepted.
type flakyEndpoint struct {
	srv   *httptest.Server
	clock *fastClock

	mu       sync.Mutex
	secret   string
	failures int // still to answer with 503
	seen     int
	bad      []string
	accepted []warroom.HookPayload
}

func startFlakyEndpoint(t *testing.T, clock *fastClock, failures int) *flakyEndpoint {
	e := &flakyEndpoint{clock: clock, failures: failures}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		defer e.mu.Unlock()
		e.seen++
		if err := webhook.Verify(e.secret, r.Header.Get(webhook.HeaderTimestamp), r.Header.Get(webhook.HeaderSignature), body, e.clock.Now(), 5*time.Minute); err != nil {
			e.bad = append(e.bad, err.Error())
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if e.failures > 0 {
			e.failures--
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		var p warroom.HookPayload
		if err := json.Unmarshal(body, &p); err != nil {
			e.bad = append(e.bad, err.Error())
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if r.Header.Get(webhook.HeaderDelivery) != strconv.FormatInt(p.ID, 10) || r.Header.Get(webhook.HeaderEvent) != string(p.Type) {
			e.bad = append(e.bad, "headers disagree with the body")
		}
		e.accepted = append(e.accepted, p)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *flakyEndpoint) got() []warroom.HookPayload {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.accepted)
}

// startMainClocked is startMain on a clock the test moves.
func startMainClocked(t *testing.T, dsn string, clock *fastClock, flags ...string) *app.Main {
	t.Helper()
	m := app.NewMain()
	m.Getenv = func(k string) string {
		return map[string]string{"WARROOM_BOOTSTRAP_TOKEN": adminToken, "WARROOM_BOOTSTRAP_PASSWORD": "e2e password, long enough"}[k]
	}
	m.Now = clock.Now
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

// TestWebhookDelivery subscribes an endpoint that fails three times and
// then recovers: it receives every event of two busy incidents exactly
// once, each incident's in the order the timeline recorded them, and the
// delivery log shows the failed attempts with their status codes.
func TestWebhookDelivery(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		clock := &fastClock{t: time.Now().UTC()}
		ep := startFlakyEndpoint(t, clock, 3)
		m := startMainClocked(t, storetest.DSN(t, engine), clock, "--outbound-allow", "127.0.0.1")
		c := client.New(m.Server.URL(), adminToken)

		sub := &warroom.HookSubscription{Name: "bus", URL: ep.srv.URL + "/warroom", Active: true}
		if err := c.CreateHookSubscription(ctx, sub); err != nil {
			t.Fatal(err)
		}
		ep.mu.Lock()
		ep.secret = sub.Secret
		ep.mu.Unlock()

		var incs []*warroom.Incident
		for _, title := range []string{"Card payments fail", "Search is slow"} {
			inc := &warroom.Incident{Title: title, Type: warroom.TypeSystemCrash, Severity: warroom.P1}
			if err := c.DeclareIncident(ctx, inc); err != nil {
				t.Fatal(err)
			}
			incs = append(incs, inc)
		}
		for _, inc := range incs {
			for _, to := range []warroom.State{warroom.StateAcknowledged, warroom.StateInvestigating, warroom.StateMitigated} {
				if _, err := c.TransitionIncident(ctx, inc.Number, to, "now "+string(to)); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := c.AddNote(ctx, inc.Number, warroom.NoteInput{Text: "rolled back the 14:02 release"}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.SetSeverity(ctx, inc.Number, warroom.P0, "spreading"); err != nil {
				t.Fatal(err)
			}
		}

		// What each incident's timeline says should reach the endpoint.
		want := map[string][]int64{}
		total := 0
		for _, inc := range incs {
			evs, _, err := c.FindEvents(ctx, inc.Number, warroom.EventFilter{Ascending: true, Limit: warroom.MaxPageSize})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				if warroom.HookEventTypeOf(e.Kind) != "" {
					want[inc.Number] = append(want[inc.Number], e.ID)
					total++
				}
			}
		}

		// The back-off is 10 s, 30 s, 1 min: the clock moves past it.
		for deadline := time.Now().Add(30 * time.Second); len(ep.got()) < total && time.Now().Before(deadline); {
			clock.Add(20 * time.Second)
			m.Engine.Wake()
			time.Sleep(40 * time.Millisecond)
		}
		// A little longer, to see that nothing arrives twice.
		for range 5 {
			clock.Add(time.Minute)
			m.Engine.Wake()
			time.Sleep(40 * time.Millisecond)
		}

		got := map[string][]int64{}
		ids := map[int64]bool{}
		for _, p := range ep.got() {
			if ids[p.ID] {
				t.Errorf("delivery %d (%s of %s) accepted twice", p.ID, p.Type, p.Incident.Number)
			}
			ids[p.ID] = true
			got[p.Incident.Number] = append(got[p.Incident.Number], p.EventID)
		}
		for _, inc := range incs {
			if !slices.Equal(got[inc.Number], want[inc.Number]) {
				t.Errorf("%s: endpoint accepted events %v, want %v in this order", inc.Number, got[inc.Number], want[inc.Number])
			}
		}
		ep.mu.Lock()
		if len(ep.bad) > 0 || ep.seen != total+3 {
			t.Errorf("endpoint saw %d requests for %d events (3 refused); bad: %v", ep.seen, total, ep.bad)
		}
		ep.mu.Unlock()

		s, err := c.FindHookSubscriptionByID(ctx, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if s.Pending != 0 || s.ConsecutiveFailures != 0 || s.LastStatus != http.StatusNoContent {
			t.Errorf("subscription after recovery: %+v", s)
		}
		// The heads of both incidents' queues were tried at once, so the
		// three refusals are in the logs of one or two deliveries, each of
		// which then succeeded.
		ds, _, err := c.FindHookDeliveries(ctx, sub.ID, "", 0, warroom.MaxPageSize)
		if err != nil {
			t.Fatal(err)
		}
		refused := 0
		for _, d := range ds {
			full, err := c.FindHookDeliveryByID(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			for i, a := range full.Log {
				last := i == len(full.Log)-1
				if last && a.Status != http.StatusNoContent || !last && a.Status != http.StatusServiceUnavailable {
					t.Errorf("delivery %d log %+v", d.ID, full.Log)
				}
				if a.Status == http.StatusServiceUnavailable {
					refused++
				}
			}
		}
		if refused != 3 {
			t.Errorf("logged %d refusals, want 3", refused)
		}

		// Redelivery from the log sends the same delivery once more.
		before := len(ep.got())
		first := ds[len(ds)-1]
		if _, err := c.RedeliverHook(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 10*time.Second, "the redelivery", func() bool {
			m.Engine.Wake()
			return len(ep.got()) == before+1
		})
		if p := ep.got()[before]; p.ID != first.ID || p.EventID != first.EventID {
			t.Errorf("redelivered %d/%d, want delivery %d of event %d", p.ID, p.EventID, first.ID, first.EventID)
		}
	})
}
