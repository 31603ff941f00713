package ingest_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/ingest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGolden parses recorded payloads of every source and compares the
// events with testdata/*.golden. Run with -update after a deliberate change.
func TestGolden(t *testing.T) {
	parsers := map[string]func([]byte) ([]*warroom.AlertEvent, error){
		"pagerduty": func(b []byte) ([]*warroom.AlertEvent, error) {
			_, ev, err := ingest.ParsePagerDuty(b)
			return []*warroom.AlertEvent{ev}, err
		},
		"alertmanager": ingest.ParseAlertmanager,
		"grafana":      ingest.ParseGrafana,
		"generic":      ingest.ParseGeneric,
	}
	files, _ := filepath.Glob("testdata/*.json")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			parse := parsers[strings.SplitN(name, "_", 2)[0]]
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			events, err := parse(body)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			for _, ev := range events {
				if len(ev.Raw) == 0 {
					t.Errorf("%s: raw payload not kept", ev.DedupKey)
				}
				if bytes.Contains(ev.Raw, []byte("e93facc04764012d7bfb002500d5d1a6")) {
					t.Errorf("%s: raw payload keeps the routing key", ev.DedupKey)
				}
			}
			got, _ := json.MarshalIndent(events, "", "  ")
			golden := strings.TrimSuffix(f, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if string(bytes.TrimSpace(want)) != string(got) {
				t.Errorf("events differ from %s:\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}

func TestParsePagerDuty(t *testing.T) {
	const key = `"routing_key":"0123456789abcdef0123456789abcdef"`
	t.Run("GeneratesDedupKey", func(t *testing.T) {
		_, ev, err := ingest.ParsePagerDuty([]byte(`{` + key + `,"event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info"}}`))
		if err != nil {
			t.Fatal(err)
		}
		if len(ev.DedupKey) != 32 {
			t.Errorf("dedup_key = %q, want 32 generated characters", ev.DedupKey)
		}
	})
	t.Run("LongSummaryCut", func(t *testing.T) {
		long := strings.Repeat("é", 2000)
		_, ev, err := ingest.ParsePagerDuty([]byte(`{` + key + `,"event_action":"trigger","payload":{"summary":"` + long + `","source":"h","severity":"info"}}`))
		if err != nil {
			t.Fatal(err)
		}
		if n := len([]rune(ev.Summary)); n != warroom.MaxSummaryLen {
			t.Errorf("summary runes = %d, want %d", n, warroom.MaxSummaryLen)
		}
	})
	for _, tt := range []struct {
		name, body string
		want       []string
	}{
		{"NotJSON", `{`, []string{"malformed JSON"}},
		{"Empty", ``, []string{"empty"}},
		{"Array", `[]`, []string{"must be a JSON object"}},
		{"NoKey", `{"event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info"}}`, []string{"'routing_key' is missing"}},
		{"BadAction", `{` + key + `,"event_action":"explode"}`, []string{"'event_action' must be one of"}},
		{"NoPayload", `{` + key + `,"event_action":"trigger"}`, []string{"'payload' is missing"}},
		{"PayloadFields", `{` + key + `,"event_action":"trigger","payload":{"severity":"fatal"}}`,
			[]string{"'payload.summary' is missing", "'payload.source' is missing", "'payload.severity' must be one of"}},
		{"ResolveWithoutKey", `{` + key + `,"event_action":"resolve"}`, []string{"'dedup_key' is required to resolve"}},
		{"BadTimestamp", `{` + key + `,"event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info","timestamp":"yesterday"}}`, []string{"'payload.timestamp'"}},
		{"WrongType", `{` + key + `,"event_action":"trigger","payload":{"summary":5}}`, []string{"payload.summary: must be string"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ingest.ParsePagerDuty([]byte(tt.body))
			pe, ok := err.(*ingest.PagerDutyError)
			if !ok {
				t.Fatalf("err = %v (%T), want *PagerDutyError", err, err)
			}
			if len(pe.Errors) != len(tt.want) {
				t.Fatalf("errors = %q, want %d matching %q", pe.Errors, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(pe.Errors[i], w) {
					t.Errorf("errors[%d] = %q, want it to contain %q", i, pe.Errors[i], w)
				}
			}
			if code := warroom.ErrorCode(err); code != warroom.EMALFORMED {
				t.Errorf("code = %s, want %s", code, warroom.EMALFORMED)
			}
		})
	}
}

func TestParseAlertmanager(t *testing.T) {
	t.Run("DedupByFingerprintNotSummary", func(t *testing.T) {
		body, _ := os.ReadFile("testdata/alertmanager_firing.json")
		events, err := ingest.ParseAlertmanager(body)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 2 || events[0].Summary != events[1].Summary {
			t.Fatalf("want two alerts with the same summary, got %d", len(events))
		}
		if events[0].DedupKey == events[1].DedupKey {
			t.Errorf("both alerts have dedup key %q: alerts with one summary on two instances must stay apart", events[0].DedupKey)
		}
	})
	t.Run("NoFingerprint", func(t *testing.T) {
		a := `{"alerts":[{"status":"firing","labels":{"b":"2","a":"1"}}]}`
		b := `{"alerts":[{"status":"firing","labels":{"a":"1","b":"2"}}]}`
		ea, err1 := ingest.ParseAlertmanager([]byte(a))
		eb, err2 := ingest.ParseAlertmanager([]byte(b))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if ea[0].DedupKey != eb[0].DedupKey || ea[0].DedupKey == "" {
			t.Errorf("keys %q and %q: the same labels must give the same key", ea[0].DedupKey, eb[0].DedupKey)
		}
	})
	t.Run("UnknownFieldsTolerated", func(t *testing.T) {
		_, err := ingest.ParseAlertmanager([]byte(`{"version":"5","newThing":{"x":1},"alerts":[{"status":"firing","labels":{"a":"1"},"extra":[1]}]}`))
		if err != nil {
			t.Errorf("err = %v", err)
		}
	})
	for _, tt := range []struct{ name, body, field string }{
		{"NoAlerts", `{"alerts":[]}`, "alerts"},
		{"BadStatus", `{"alerts":[{"status":"weird","labels":{"a":"1"}}]}`, "alerts[0].status"},
		{"NoLabels", `{"alerts":[{"status":"firing"}]}`, "alerts[0].labels"},
		{"BadTime", `{"alerts":[{"status":"firing","labels":{"a":"1"},"startsAt":"soon"}]}`, "alerts[0].startsAt"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ingest.ParseAlertmanager([]byte(tt.body))
			if got := warroom.ErrorField(err); got != tt.field {
				t.Errorf("field = %q (%v), want %q", got, err, tt.field)
			}
		})
	}
}

func TestSeverity(t *testing.T) {
	for in, want := range map[string]warroom.AlertSeverity{
		"critical": warroom.AlertCritical, "PAGE": warroom.AlertCritical, "error": warroom.AlertError,
		"high": warroom.AlertError, "": warroom.AlertError, "warning": warroom.AlertWarning, " warn ": warroom.AlertWarning,
		"info": warroom.AlertInfo, "none": warroom.AlertInfo, "strange": warroom.AlertError,
	} {
		if got := ingest.Severity(in); got != want {
			t.Errorf("Severity(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestParseGeneric(t *testing.T) {
	t.Run("DedupWithoutKey", func(t *testing.T) {
		a, err := ingest.ParseGeneric([]byte(`{"summary":"disk full","labels":{"host":"a"}}`))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := ingest.ParseGeneric([]byte(`{"summary":"disk full","labels":{"host":"b"}}`))
		c, _ := ingest.ParseGeneric([]byte(`{"labels":{"host":"a"},"summary":"disk full"}`))
		if a[0].DedupKey == b[0].DedupKey || a[0].DedupKey != c[0].DedupKey {
			t.Errorf("keys a=%q b=%q c=%q: want a == c != b", a[0].DedupKey, b[0].DedupKey, c[0].DedupKey)
		}
	})
	for _, tt := range []struct{ name, body, field string }{
		{"NoSummary", `{"severity":"info"}`, "summary"},
		{"ResolveNoKey", `{"action":"resolve"}`, "dedup_key"},
		{"BadAction", `{"action":"snooze","dedup_key":"x"}`, "action"},
		{"BatchIndex", `[{"summary":"a"},{"summary":""}]`, "[1].summary"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ingest.ParseGeneric([]byte(tt.body))
			if got := warroom.ErrorField(err); got != tt.field {
				t.Errorf("field = %q (%v), want %q", got, err, tt.field)
			}
		})
	}
}
