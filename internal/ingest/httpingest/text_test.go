package httpingest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestBadTextRefused: text that is not UTF-8 anywhere in an ingest body is
// a 400 naming the field, on both engines alike, and nothing is stored:
// PostgreSQL used to answer 500 (and the sender retried forever) where
// SQLite stored U+FFFD.
func TestBadTextRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engineName string) {
		h := newHarness(t, engineName)
		pd := h.integration(warroom.IntegrationPagerDuty, "", 0).Key
		am := "/ingest/alertmanager?key=" + h.integration(warroom.IntegrationAlertmanager, "", 0).Key
		gf := "/ingest/grafana?key=" + h.integration(warroom.IntegrationGrafana, "", 0).Key
		gen := "/ingest/generic?key=" + h.integration(warroom.IntegrationGeneric, "", 0).Key
		pdEvent := func(dedup, summary, details string) string {
			return `{"routing_key":"` + pd + `","event_action":"trigger","dedup_key":"` + dedup +
				`","payload":{"summary":"` + summary + `","source":"db1","severity":"critical","custom_details":{"disk":"` + details + `"}}}`
		}
		for _, c := range []struct {
			name, path, body, field string
		}{
			{"PagerDutySummary", "/v2/enqueue", pdEvent("k", "disk \xff full", "d"), "payload.summary"},
			{"PagerDutyDedupKey", "/v2/enqueue", pdEvent("k\xc3", "s", "d"), "dedup_key"},
			{"PagerDutyDetails", "/v2/enqueue", pdEvent("k", "s", "\xed\xa0\x80"), "payload.custom_details.disk"},
			{"PagerDutySurrogate", "/v2/enqueue", pdEvent("k", `\ud800`, "d"), "payload.summary"},
			{"AlertmanagerLabel", am, `{"alerts":[{"labels":{"alertname":"a"}},{"labels":{"alertname":"b","instance":"h` + "\xff" + `"}}]}`, "alerts[1].labels.instance"},
			{"AlertmanagerFingerprint", am, `{"alerts":[{"fingerprint":"f` + "\xfe" + `","labels":{"a":"b"}}]}`, "alerts[0].fingerprint"},
			{"AlertmanagerRaw", am, `{"alerts":[{"labels":{"a":"b"},"extra":{"x":["` + "\x80" + `"]}}]}`, "alerts[0].extra.x[0]"},
			{"GrafanaSummary", gf, `{"alerts":[{"labels":{"a":"b"},"annotations":{"summary":"\udc00"}}]}`, "alerts[0].annotations.summary"},
			{"GenericDedupKey", gen, `{"summary":"s","dedup_key":"k` + "\xff" + `"}`, "dedup_key"},
			{"GenericDetails", gen, `[{"summary":"s"},{"summary":"s","details":{"` + "\xff" + `":1}}]`, "[1].details"},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := h.post(c.path, []byte(c.body), nil)
				if r.status != http.StatusBadRequest || !strings.Contains(r.body, c.field) {
					t.Fatalf("got %d %s, want 400 naming %s", r.status, r.body, c.field)
				}
				if c.path == "/v2/enqueue" {
					var body struct{ Status string }
					if json.Unmarshal([]byte(r.body), &body); body.Status != "invalid event" {
						t.Errorf("answer %s is not in PagerDuty's shape", r.body)
					}
				} else if f := errorField(r.body); f != c.field {
					t.Errorf("error field %q, want %q", f, c.field)
				}
			})
		}
		if as := h.alerts(); len(as) != 0 {
			t.Fatalf("stored %d alerts from refused bodies", len(as))
		}
	})
}

func errorField(body string) string {
	var e struct{ Error struct{ Field string } }
	json.Unmarshal([]byte(body), &e)
	return e.Error.Field
}

// TestDedupKeysStayExact: keys that differ only in bytes that are not
// UTF-8 are not both turned into U+FFFD and merged; the real U+FFFD is a
// key of its own.
func TestDedupKeysStayExact(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engineName string) {
		h := newHarness(t, engineName)
		gen := "/ingest/generic?key=" + h.integration(warroom.IntegrationGeneric, "", 0).Key
		for _, k := range []string{"disk\xff", "disk\xfe", `disk\ud800`, `disk\udbff`, `disk\u0000`} {
			if r := h.post(gen, []byte(`{"summary":"s","dedup_key":"`+k+`"}`), nil); r.status != http.StatusBadRequest || errorField(r.body) != "dedup_key" {
				t.Errorf("key %q: got %d %s, want 400 naming dedup_key", k, r.status, r.body)
			}
		}
		for _, k := range []string{`disk\ufffd`, "disk\xef\xbf\xbd", `disk\ud83d\ude00`} {
			if r := h.post(gen, []byte(`{"summary":"s","dedup_key":"`+k+`"}`), nil); r.status != http.StatusAccepted {
				t.Fatalf("key %q: got %d %s", k, r.status, r.body)
			}
		}
		as := h.alerts()
		keys := map[string]int{}
		for _, a := range as {
			keys[a.DedupKey]++
		}
		if len(as) != 2 || keys["disk\ufffd"] != 1 || keys["disk😀"] != 1 {
			t.Fatalf("keys %v, want disk\\ufffd once (sent twice) and disk😀", keys)
		}
	})
}

// TestNULHandled: NUL refused in keys and labels, dropped from free text,
// kept as \u0000 in details and the raw payload, alike on both engines.
func TestNULHandled(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engineName string) {
		h := newHarness(t, engineName)
		gen := "/ingest/generic?key=" + h.integration(warroom.IntegrationGeneric, "", 0).Key
		pd := h.integration(warroom.IntegrationPagerDuty, "", 0).Key
		am := "/ingest/alertmanager?key=" + h.integration(warroom.IntegrationAlertmanager, "", 0).Key
		for _, c := range []struct{ path, body, field string }{
			{gen, `{"summary":"s","labels":{"env":"prod\u0000"}}`, "labels.env"},
			{gen, `{"summary":"s","labels":{"env\u0000":"prod"}}`, "labels"},
			{am, `{"alerts":[{"labels":{"a":"b","instance":"\u0000"}}]}`, "alerts[0].labels.instance"},
			{"/v2/enqueue", `{"routing_key":"` + pd + `","event_action":"resolve","dedup_key":"k\u0000"}`, "'dedup_key' must not contain NUL"},
			{"/v2/enqueue", `{"routing_key":"` + pd + `\u0000","event_action":"resolve","dedup_key":"k"}`, "'routing_key' must not contain NUL"},
		} {
			if r := h.post(c.path, []byte(c.body), nil); r.status != http.StatusBadRequest || !strings.Contains(r.body, c.field) {
				t.Errorf("%s: got %d %s, want 400 naming %s", c.body, r.status, r.body, c.field)
			}
		}
		r := h.post(gen, []byte(`{"summary":"disk\u0000 full","source":"db\u00001","dedup_key":"k","details":{"n":"\u0000"},"links":[{"href":"http://x/\u0000","text":"t\u0000"}]}`), nil)
		if r.status != http.StatusAccepted {
			t.Fatalf("free text with NUL: %d %s", r.status, r.body)
		}
		as := h.alerts()
		if len(as) != 1 {
			t.Fatalf("alerts = %d", len(as))
		}
		a, err := h.db.FindAlertByID(context.Background(), as[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if a.Summary != "disk full" || a.Source != "db1" || string(a.Details) != `{"n":"\u0000"}` || !strings.Contains(string(a.Raw), `"disk\u0000 full"`) {
			t.Fatalf("stored %q %q %s %s", a.Summary, a.Source, a.Details, a.Raw)
		}
		if len(a.Links) != 1 || a.Links[0].Href != "http://x/" || a.Links[0].Text != "t" {
			t.Fatalf("links %+v", a.Links)
		}
	})
}

// TestBadCredentialText: a key or token that is not text is refused, not
// a 500 from a PostgreSQL that will not compare it: in the URL by the
// middleware, in a header or body as unknown.
func TestBadCredentialText(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engineName string) {
		h := newHarness(t, engineName)
		body := []byte(`{"summary":"s"}`)
		for _, c := range []struct{ path, field string }{
			{"/ingest/generic?key=%ff", "key"}, {"/ingest/generic?key=a%00b", "key"},
			{"/ingest/heartbeat/%ff", "path"}, {"/ingest/heartbeat/a%00", "path"},
		} {
			if r := h.post(c.path, body, nil); r.status != http.StatusBadRequest || errorField(r.body) != c.field {
				t.Errorf("%s: got %d %s, want 400 naming %s", c.path, r.status, r.body, c.field)
			}
		}
		if r := h.post("/ingest/generic", body, map[string]string{"Authorization": "Bearer k\xffk"}); r.status != http.StatusUnauthorized {
			t.Errorf("bearer: got %d %s, want 401", r.status, r.body)
		}
		pd := []byte("{\"routing_key\":\"key\xff\",\"event_action\":\"resolve\",\"dedup_key\":\"k\"}")
		if r := h.post("/v2/enqueue", pd, nil); r.status != http.StatusBadRequest || !strings.Contains(r.body, "routing_key") {
			t.Errorf("routing key: got %d %s, want 400", r.status, r.body)
		}
	})
}
