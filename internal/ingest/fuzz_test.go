package ingest_test

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/ingest"
)

// seed adds the recorded payloads whose names start with prefix.
func seed(f *testing.F, prefix string) {
	files, _ := filepath.Glob("testdata/" + prefix + "*.json")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`[`))
}

// checkEvents asserts what every parser promises of a success: valid,
// keyed events, and of a failure: a coded error, never a panic.
func checkEvents(t *testing.T, events []*warroom.AlertEvent, err error) {
	if err != nil {
		if warroom.ErrorCode(err) == warroom.EINTERNAL {
			t.Fatalf("uncoded error %v", err)
		}
		return
	}
	if len(events) == 0 {
		t.Fatal("no events and no error")
	}
	for _, ev := range events {
		if ev.DedupKey == "" || len(ev.DedupKey) > warroom.MaxDedupKeyLen || !ev.Severity.Valid() {
			t.Fatalf("bad event %+v", ev)
		}
		if ev.Action == warroom.ActionTrigger && (ev.Summary == "" || !utf8.ValidString(ev.DedupKey)) {
			t.Fatalf("trigger without summary %+v", ev)
		}
		if err := ev.Validate(); err != nil {
			t.Fatalf("event fails its own validation: %v", err)
		}
	}
}

func FuzzParsePagerDuty(f *testing.F) {
	seed(f, "pagerduty")
	f.Fuzz(func(t *testing.T, b []byte) {
		_, ev, err := ingest.ParsePagerDuty(b)
		if err == nil {
			checkEvents(t, []*warroom.AlertEvent{ev}, nil)
		} else if _, ok := err.(*ingest.PagerDutyError); !ok {
			t.Fatalf("err %T, want *PagerDutyError", err)
		}
	})
}

func FuzzParseAlertmanager(f *testing.F) {
	seed(f, "alertmanager")
	f.Fuzz(func(t *testing.T, b []byte) {
		events, err := ingest.ParseAlertmanager(b)
		checkEvents(t, events, err)
	})
}

func FuzzParseGrafana(f *testing.F) {
	seed(f, "grafana")
	f.Fuzz(func(t *testing.T, b []byte) {
		events, err := ingest.ParseGrafana(b)
		checkEvents(t, events, err)
	})
}

func FuzzParseGeneric(f *testing.F) {
	seed(f, "generic")
	f.Fuzz(func(t *testing.T, b []byte) {
		events, err := ingest.ParseGeneric(b)
		checkEvents(t, events, err)
	})
}
