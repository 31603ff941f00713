package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/client"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// hookReceiver is a webhook endpoint that keeps every payload warroom
// posts to it.
type hookReceiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []hookPayload
}

type hookPayload struct {
	Event    string `json:"event"`
	Text     string `json:"text"`
	Incident *struct {
		Number string `json:"number"`
	} `json:"incident"`
}

func startHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p hookPayload
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &p); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.got = append(h.got, p)
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// verified adds the receiver as a webhook contact method of the user and
// verifies it with the code it received.
func (h *hookReceiver) verified(t *testing.T, c *client.Client, userID int64) {
	t.Helper()
	ctx := context.Background()
	wh := &warroom.ContactMethod{UserID: userID, Type: warroom.ContactWebhook, Name: "pager bridge", Address: h.srv.URL + "/hook"}
	if err := c.CreateContactMethod(ctx, wh); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the webhook's verification code", func() bool { return len(h.of("verification")) > 0 })
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(h.of("verification")[0].Text)
	if err := c.VerifyContactMethod(ctx, userID, wh.ID, code); err != nil {
		t.Fatalf("verify webhook with %q: %v", code, err)
	}
}

// of returns the payloads of one event kind.
func (h *hookReceiver) of(event string) []hookPayload {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []hookPayload
	for _, p := range h.got {
		if p.Event == event {
			out = append(out, p)
		}
	}
	return out
}

// TestAlertmanagerStorm has a real Alertmanager send one group of 200
// alerts: warroom opens exactly one incident and pages once on each
// channel (email through Mailpit, a webhook); Alertmanager's resolved
// notification then resolves the incident and stops its escalation.
func TestAlertmanagerStorm(t *testing.T) {
	bin := alertmanagerBinary(t)
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		mp := startMailpit(t)
		hook := startHookReceiver(t)
		m := startMain(t, storetest.DSN(t, engine), append(mp.flags(), "--outbound-allow", "127.0.0.1")...)
		c := client.New(m.Server.URL(), adminToken)
		me, err := c.Me(ctx)
		if err != nil {
			t.Fatal(err)
		}
		mp.verified(t, c, me.ID, "oncall@example.com")
		hook.verified(t, c, me.ID)

		p := &warroom.EscalationPolicy{Name: "shop", Repeat: 3, Levels: []warroom.EscalationLevel{{DelaySeconds: 60,
			Targets: []warroom.EscalationTarget{{Type: warroom.TargetUser, ID: me.ID}}}}}
		if err := c.CreateEscalationPolicy(ctx, p); err != nil {
			t.Fatal(err)
		}
		svc := &warroom.Service{Name: "shop", Tier: 1}
		if err := c.CreateService(ctx, svc); err != nil {
			t.Fatal(err)
		}
		if err := c.SetServiceEscalationPolicy(ctx, "shop", p.ID); err != nil {
			t.Fatal(err)
		}
		in := &warroom.Integration{ServiceID: svc.ID, Name: "prometheus", Kind: warroom.IntegrationAlertmanager}
		if err := m.DB.CreateIntegration(ctx, in); err != nil {
			t.Fatal(err)
		}

		// One route grouping by alertname: 200 alerts of one rule on 200
		// instances are one Alertmanager group.
		amURL := startAlertmanager(t, bin, fmt.Sprintf(`
route:
  receiver: warroom
  group_by: ['alertname']
  group_wait: 500ms
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: warroom
    webhook_configs:
      - url: %s/ingest/alertmanager?key=%s
        send_resolved: true
        max_alerts: 0
`, m.Server.URL(), in.Key))
		started := time.Now().Add(-time.Minute).UTC()
		post := func(endsAt time.Time) {
			var alerts []any
			for i := range 200 {
				a := map[string]any{
					"labels":      map[string]string{"alertname": "CheckoutErrors", "severity": "critical", "instance": fmt.Sprintf("checkout-%d", i)},
					"annotations": map[string]string{"summary": fmt.Sprintf("checkout-%d error rate above 5%%", i)},
					"startsAt":    started.Format(time.RFC3339),
				}
				if !endsAt.IsZero() {
					a["endsAt"] = endsAt.UTC().Format(time.RFC3339Nano)
				}
				alerts = append(alerts, a)
			}
			b, _ := json.Marshal(alerts)
			resp, err := http.Post(amURL+"/api/v2/alerts", "application/json", bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("alertmanager POST /api/v2/alerts = %d", resp.StatusCode)
			}
		}

		post(time.Time{})
		waitFor(t, 30*time.Second, "200 alerts routed", func() bool {
			all, _, err := m.DB.FindAlerts(ctx, warroom.AlertFilter{ServiceID: &svc.ID, Limit: 500})
			routed := 0
			for _, a := range all {
				if a.Routed && a.IncidentID != nil {
					routed++
				}
			}
			return err == nil && routed == 200
		})
		incs, total, err := m.DB.FindIncidents(ctx, warroom.IncidentFilter{Limit: 10})
		if err != nil || total != 1 {
			t.Fatalf("incidents = %d (%v), want exactly 1 for one Alertmanager group", total, err)
		}
		inc := incs[0]
		mp.waitFor(t, "oncall@example.com", inc.Number)
		waitFor(t, 10*time.Second, "the webhook page", func() bool { return len(hook.of("page")) > 0 })

		post(time.Now())
		waitFor(t, 30*time.Second, "the incident resolved by Alertmanager's resolved notification", func() bool {
			got, err := m.DB.FindIncidentByID(ctx, inc.ID)
			return err == nil && got.State == warroom.StateResolved
		})
		es, err := m.DB.FindEscalations(ctx, inc.ID)
		if err != nil || len(es) != 1 || es[0].StoppedAt == nil || es[0].NextAt != nil {
			t.Fatalf("escalations = %+v (%v), want one, stopped", es, err)
		}
		// One group, one page per channel: nothing else went out meanwhile.
		time.Sleep(2 * time.Second)
		if n := len(hook.of("page")); n != 1 {
			t.Errorf("webhook pages = %d, want 1", n)
		}
		if subjects := mp.subjects(t, "oncall@example.com", inc.Number); len(subjects) != 1 {
			t.Errorf("emails about %s = %q, want the one page", inc.Number, subjects)
		}
	})
}

// subjects lists the subjects of the messages to addr that contain want.
func (m *mailpit) subjects(t *testing.T, addr, want string) []string {
	t.Helper()
	var list struct{ Messages []mailpitMessage }
	if err := getJSON(m.api+"/api/v1/messages", &list); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, msg := range list.Messages {
		if len(msg.To) > 0 && msg.To[0].Address == addr && strings.Contains(msg.Subject, want) {
			out = append(out, msg.Subject)
		}
	}
	return out
}
