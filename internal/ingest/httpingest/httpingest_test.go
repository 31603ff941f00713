package httpingest_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/PagerDuty/go-pagerduty"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/engine"
	"github.com/warroomhq/warroom/internal/ingest/httpingest"
	"github.com/warroomhq/warroom/internal/server"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// harness is the ingest endpoints over real HTTP on a real store, with the
// routing engine ticked by hand.
type harness struct {
	t   *testing.T
	db  *store.DB
	url string
	eng *engine.Engine
	svc *warroom.Service
}

func newHarness(t *testing.T, engineName string) *harness {
	t.Helper()
	db := storetest.Open(t, engineName, nil)
	h := httpingest.New(httpingest.Deps{Integrations: db, Alerts: db, Monitors: db})
	srv := httptest.NewServer(server.WithMiddleware(h, nil))
	t.Cleanup(func() { srv.Close(); h.Close() })
	svc := &warroom.Service{Name: "checkout", Tier: 1}
	if err := db.CreateService(context.Background(), svc); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(engine.Options{}, &engine.Monitors{Monitors: db}, &engine.AlertRouting{Alerts: db})
	return &harness{t: t, db: db, url: srv.URL, eng: eng, svc: svc}
}

func (h *harness) integration(kind warroom.IntegrationKind, secret string, rate int) *warroom.Integration {
	h.t.Helper()
	i := &warroom.Integration{ServiceID: h.svc.ID, Name: string(kind), Kind: kind, Secret: secret, RateLimit: rate}
	if err := h.db.CreateIntegration(context.Background(), i); err != nil {
		h.t.Fatal(err)
	}
	return i
}

type response struct {
	status int
	header http.Header
	body   string
}

func (h *harness) post(path string, body []byte, header map[string]string) response {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.url+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(b)}
}

func (h *harness) alerts() []*warroom.Alert {
	h.t.Helper()
	as, _, err := h.db.FindAlerts(context.Background(), warroom.AlertFilter{Limit: warroom.MaxPageSize})
	if err != nil {
		h.t.Fatal(err)
	}
	return as
}

func (h *harness) incidents() []*warroom.Incident {
	h.t.Helper()
	h.eng.Tick(context.Background())
	is, _, err := h.db.FindIncidents(context.Background(), warroom.IncidentFilter{Limit: warroom.MaxPageSize})
	if err != nil {
		h.t.Fatal(err)
	}
	return is
}

func testdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPagerDutyClient drives /v2/enqueue with PagerDuty's own Go client,
// pointed at warroom by its events endpoint option and nothing else.
func TestPagerDutyClient(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engineName string) {
		h := newHarness(t, engineName)
		key := h.integration(warroom.IntegrationPagerDuty, "", 0).Key
		pd := pagerduty.NewClient("unused", pagerduty.WithV2EventsAPIEndpoint(h.url))
		ctx := context.Background()

		resp, err := pd.ManageEventWithContext(ctx, &pagerduty.V2Event{RoutingKey: key, Action: "trigger",
			Payload: &pagerduty.V2Payload{Summary: "checkout 5xx above 5%", Source: "prom-1", Severity: "critical",
				Component: "api", Details: map[string]any{"rate": 0.052}}})
		if err != nil {
			t.Fatalf("trigger: %v", err)
		}
		if resp.Status != "success" || resp.Message != "Event processed" || len(resp.DedupKey) != 32 {
			t.Errorf("response = %+v, want success with a generated 32-character dedup key", resp)
		}
		if is := h.incidents(); len(is) != 1 || is[0].Title != "checkout 5xx above 5%" || is[0].Severity != warroom.P1 {
			t.Fatalf("incidents = %v, want one P1 from the trigger", is)
		}

		if _, err := pd.ManageEventWithContext(ctx, &pagerduty.V2Event{RoutingKey: key, Action: "acknowledge", DedupKey: resp.DedupKey}); err != nil {
			t.Fatalf("acknowledge: %v", err)
		}
		if _, err := pd.ManageEventWithContext(ctx, &pagerduty.V2Event{RoutingKey: key, Action: "resolve", DedupKey: resp.DedupKey}); err != nil {
			t.Fatalf("resolve: %v", err)
		}
		as := h.alerts()
		if len(as) != 1 || as[0].Status != warroom.AlertResolved || as[0].AcknowledgedAt == nil {
			t.Fatalf("alerts = %+v, want one acknowledged then resolved", as)
		}
		// A resolve with no open alert is accepted and dropped, as PagerDuty does.
		if r, err := pd.ManageEventWithContext(ctx, &pagerduty.V2Event{RoutingKey: key, Action: "resolve", DedupKey: "never-seen"}); err != nil || r.Status != "success" {
			t.Errorf("resolve of an unknown key: %+v %v, want success", r, err)
		}
		// Re-trigger after resolve opens a new alert and a new incident.
		if _, err := pd.ManageEventWithContext(ctx, &pagerduty.V2Event{RoutingKey: key, Action: "trigger", DedupKey: resp.DedupKey,
			Payload: &pagerduty.V2Payload{Summary: "checkout 5xx again", Source: "prom-1", Severity: "error"}}); err != nil {
			t.Fatal(err)
		}
		if as := h.alerts(); len(as) != 2 {
			t.Errorf("alerts after re-trigger = %d, want 2", len(as))
		}
		if is := h.incidents(); len(is) != 2 {
			t.Errorf("incidents after re-trigger = %d, want 2", len(is))
		}

		_, err = pd.ManageEventWithContext(ctx, &pagerduty.V2Event{RoutingKey: key, Action: "trigger", Payload: &pagerduty.V2Payload{Source: "x", Severity: "bad"}})
		if err == nil || !strings.Contains(err.Error(), "400") {
			t.Errorf("invalid trigger: %v, want a 400 reported by the client", err)
		}
	})
}

func TestPagerDutyErrors(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engineName string) {
		h := newHarness(t, engineName)
		key := h.integration(warroom.IntegrationPagerDuty, "", 60).Key
		generic := h.integration(warroom.IntegrationGeneric, "", 0).Key
		for _, tt := range []struct {
			name   string
			body   string
			status int
			want   string
		}{
			{"Malformed", `{"routing_key":`, 400, "malformed JSON"},
			{"MissingFields", `{"routing_key":"` + key + `","event_action":"trigger","payload":{}}`, 400, "'payload.summary' is missing or blank"},
			{"UnknownKey", `{"routing_key":"0123456789abcdef0123456789abcdef","event_action":"resolve","dedup_key":"x"}`, 400, "not a known, active integration key"},
			{"WrongKind", `{"routing_key":"` + generic + `","event_action":"resolve","dedup_key":"x"}`, 400, "generic integration"},
			{"TooLarge", `{"routing_key":"` + key + `","event_action":"trigger","payload":{"summary":"` + strings.Repeat("a", httpingest.MaxEventBytes) + `"}}`, 413, "larger than"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := h.post("/v2/enqueue", []byte(tt.body), nil)
				var body struct {
					Status string
					Errors []string
				}
				json.Unmarshal([]byte(r.body), &body)
				if r.status != tt.status || body.Status != "invalid event" || len(body.Errors) == 0 || !strings.Contains(strings.Join(body.Errors, ";"), tt.want) {
					t.Errorf("got %d %s, want %d with errors[] containing %q", r.status, r.body, tt.status, tt.want)
				}
			})
		}
		t.Run("RateLimited", func(t *testing.T) {
			// 60 a minute allows a burst of ten.
			ev := func() []byte {
				return []byte(`{"routing_key":"` + key + `","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info"}}`)
			}
			var last response
			for range 11 {
				last = h.post("/v2/enqueue", ev(), nil)
			}
			if last.status != http.StatusTooManyRequests || last.header.Get("Retry-After") == "" || !strings.Contains(last.body, "throttle event") {
				t.Errorf("11th event = %d %q Retry-After %q, want 429 with Retry-After", last.status, last.body, last.header.Get("Retry-After"))
			}
			if n := len(h.alerts()); n != 10 {
				t.Errorf("%d alerts stored, want the 10 accepted", n)
			}
		})
	})
}

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func TestWebhooks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engineName string) {
		h := newHarness(t, engineName)
		am := h.integration(warroom.IntegrationAlertmanager, "", 0)
		gf := h.integration(warroom.IntegrationGrafana, "hmac-secret", 0)
		gen := h.integration(warroom.IntegrationGeneric, "", 0)

		t.Run("Alertmanager", func(t *testing.T) {
			r := h.post("/ingest/alertmanager?key="+am.Key, testdata(t, "alertmanager_firing.json"), nil)
			if r.status != http.StatusAccepted || !strings.Contains(r.body, `"created":true`) {
				t.Fatalf("got %d %s", r.status, r.body)
			}
			// The same alerts again are repeats, not new alerts.
			h.post("/ingest/alertmanager", testdata(t, "alertmanager_firing.json"), map[string]string{"Authorization": "Bearer " + am.Key})
			if n := len(h.alerts()); n != 2 {
				t.Errorf("alerts = %d, want 2 (one per fingerprint)", n)
			}
			// Both alerts are of one Alertmanager group: one incident.
			if n := len(h.incidents()); n != 1 {
				t.Errorf("incidents = %d, want 1 for the notification's group", n)
			}
		})
		t.Run("GrafanaSigned", func(t *testing.T) {
			body := testdata(t, "grafana_firing.json")
			if r := h.post("/ingest/grafana?key="+gf.Key, body, nil); r.status != http.StatusUnauthorized {
				t.Errorf("unsigned: %d %s, want 401", r.status, r.body)
			}
			if r := h.post("/ingest/grafana?key="+gf.Key, body, map[string]string{"X-Grafana-Alerting-Signature": sign("wrong", body)}); r.status != http.StatusUnauthorized {
				t.Errorf("badly signed: %d, want 401", r.status)
			}
			before := len(h.incidents())
			r := h.post("/ingest/grafana?key="+gf.Key, body, map[string]string{"X-Grafana-Alerting-Signature": sign("hmac-secret", body)})
			if r.status != http.StatusAccepted {
				t.Fatalf("signed: %d %s", r.status, r.body)
			}
			if is := h.incidents(); len(is) != before+1 {
				t.Errorf("incidents = %d, want a new one from the Grafana alert", len(is))
			}
		})
		t.Run("Generic", func(t *testing.T) {
			r := h.post("/ingest/generic?key="+gen.Key, testdata(t, "generic_batch.json"), nil)
			if r.status != http.StatusAccepted || !strings.Contains(r.body, `"dropped":true`) {
				t.Errorf("got %d %s, want 202 with the unknown resolve dropped", r.status, r.body)
			}
			if r := h.post("/ingest/generic?key="+gen.Key, []byte(`{"severity":"critical"}`), nil); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `"field":"summary"`) {
				t.Errorf("invalid: %d %s, want 422 naming summary", r.status, r.body)
			}
		})
		t.Run("WrongKind", func(t *testing.T) {
			if r := h.post("/ingest/grafana?key="+am.Key, testdata(t, "grafana_firing.json"), nil); r.status != http.StatusForbidden {
				t.Errorf("alertmanager key on grafana: %d, want 403", r.status)
			}
		})
		t.Run("Revoked", func(t *testing.T) {
			x := h.integration(warroom.IntegrationGeneric, "", 0)
			if _, err := h.db.RevokeIntegration(context.Background(), x.ID); err != nil {
				t.Fatal(err)
			}
			if r := h.post("/ingest/generic?key="+x.Key, []byte(`{"summary":"x"}`), nil); r.status != http.StatusUnauthorized {
				t.Errorf("revoked key: %d, want 401", r.status)
			}
		})
	})
}

// TestRoutesRequireCredentials: every ingest route refuses a request
// without its credential and stores nothing.
func TestRoutesRequireCredentials(t *testing.T) {
	h := newHarness(t, store.EngineSQLite)
	for _, rt := range httpingest.Routes() {
		t.Run(rt.Method+" "+rt.Pattern, func(t *testing.T) {
			path := strings.ReplaceAll(rt.Pattern, "{token}", "0123456789abcdef0123456789abcdef")
			body := `{"event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info"},"summary":"s","alerts":[{"labels":{"a":"b"}}]}`
			req, _ := http.NewRequest(rt.Method, h.url+path, strings.NewReader(body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			want := http.StatusUnauthorized
			if rt.Auth == httpingest.AuthRoutingKey {
				want = http.StatusBadRequest // PagerDuty's answer to a missing routing key
			}
			if resp.StatusCode != want {
				t.Errorf("status = %d, want %d", resp.StatusCode, want)
			}
		})
	}
	if n := len(h.alerts()); n != 0 {
		t.Errorf("%d alerts stored without credentials", n)
	}
}

// TestConcurrentIngest sends many requests at once, which the group commit
// batches; every accepted event must be stored exactly once.
func TestConcurrentIngest(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engineName string) {
		h := newHarness(t, engineName)
		key := h.integration(warroom.IntegrationPagerDuty, "", 0).Key
		const senders, each = 16, 25
		var wg sync.WaitGroup
		keys := make(chan string, senders*each)
		for s := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					body, _ := json.Marshal(map[string]any{"routing_key": key, "event_action": "trigger",
						"dedup_key": "k-" + string(rune('a'+s)) + "-" + string(rune('a'+i)),
						"payload":   map[string]any{"summary": "load", "source": "t", "severity": "info"}})
					resp, err := http.Post(h.url+"/v2/enqueue", "application/json", bytes.NewReader(body))
					if err != nil {
						t.Error(err)
						return
					}
					var r struct {
						DedupKey string `json:"dedup_key"`
					}
					json.NewDecoder(resp.Body).Decode(&r)
					resp.Body.Close()
					if resp.StatusCode != http.StatusAccepted {
						t.Errorf("status %d", resp.StatusCode)
						continue
					}
					keys <- r.DedupKey
				}
			}()
		}
		wg.Wait()
		close(keys)
		accepted := map[string]bool{}
		for k := range keys {
			accepted[k] = true
		}
		stored := map[string]bool{}
		for _, a := range h.alerts() {
			stored[a.DedupKey] = true
		}
		if len(accepted) != senders*each || len(stored) != len(accepted) {
			t.Errorf("accepted %d distinct, stored %d, want %d each", len(accepted), len(stored), senders*each)
		}
	})
}

func TestHeartbeatEndpoint(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engineName string) {
		h := newHarness(t, engineName)
		m := &warroom.Monitor{ServiceID: h.svc.ID, Name: "backup", Kind: warroom.MonitorHeartbeat, PeriodSeconds: 60}
		if err := h.db.CreateMonitor(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(h.url + "/ingest/heartbeat/" + m.Token)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET check-in = %d", resp.StatusCode)
		}
		if r := h.post("/ingest/heartbeat/"+m.Token, nil, nil); r.status != http.StatusOK || !strings.Contains(r.body, `"monitor":"backup"`) {
			t.Errorf("POST check-in = %d %s", r.status, r.body)
		}
		got, _ := h.db.FindMonitorByID(context.Background(), m.ID)
		if got.LastCheckInAt == nil {
			t.Errorf("check-in not recorded")
		}
	})
}
