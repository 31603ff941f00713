package ingest_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/ingest"
	"github.com/warroomhq/warroom/internal/jsontext"
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
	// Text both engines must treat alike: bytes that are not UTF-8, a lone
	// surrogate, NUL in a key, a label and free text.
	for _, b := range files[:min(1, len(files))] {
		body, _ := os.ReadFile(b)
		for _, bad := range []string{"\xff", `\ud800`, `\u0000`} {
			f.Add(bytes.Replace(body, []byte(`": "`), []byte(`": "`+bad), 1))
			f.Add(bytes.ReplaceAll(body, []byte(`": "`), []byte(`": "`+bad)))
		}
	}
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
		storable(t, ev)
	}
}

// storable asserts that both engines store ev alike: its text is UTF-8
// without NUL, and its JSON has no string encoding/json would change.
func storable(t *testing.T, ev *warroom.AlertEvent) {
	texts := []string{ev.DedupKey, ev.Summary, ev.Source, string(ev.Action), string(ev.Severity)}
	for k, v := range ev.Labels {
		texts = append(texts, k, v)
	}
	for _, l := range ev.Links {
		texts = append(texts, l.Href, l.Text)
	}
	for _, s := range texts {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			t.Fatalf("%q is not text PostgreSQL stores", s)
		}
	}
	for _, b := range [][]byte{ev.Raw, ev.Details} {
		if !utf8.Valid(b) || jsontext.Check(b, jsontext.NULInNames) != nil {
			t.Fatalf("JSON %q is not stored alike on both engines", b)
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

// FuzzVerifyGrafana checks the signature check on arbitrary headers and
// bodies: it never panics, refuses whatever was not signed with the secret,
// and accepts what was, with or without a timestamp.
func FuzzVerifyGrafana(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	f.Add([]byte(`{"status":"firing"}`), "sha256=00", "1800000000")
	f.Add([]byte{}, "", "")
	f.Add([]byte("x"), "zz", "not-a-number")
	f.Fuzz(func(t *testing.T, body []byte, signature, timestamp string) {
		const secret = "grafana-secret"
		if err := ingest.VerifyGrafana(secret, body, signature, timestamp, now); err == nil {
			if want := grafanaSign(secret, body, timestamp); !strings.EqualFold(strings.TrimPrefix(strings.TrimSpace(signature), "sha256="), want) {
				t.Fatalf("accepted signature %q for a body signed as %q", signature, want)
			}
		} else if warroom.ErrorCode(err) != warroom.EUNAUTHORIZED {
			t.Fatalf("refusal with code %q: %v", warroom.ErrorCode(err), err)
		}
		ts := strconv.FormatInt(now.Unix(), 10)
		if err := ingest.VerifyGrafana(secret, body, "sha256="+grafanaSign(secret, body, ts), ts, now); err != nil {
			t.Fatalf("genuine signature refused: %v", err)
		}
		if err := ingest.VerifyGrafana(secret, body, grafanaSign(secret, body, ""), "", now); err != nil {
			t.Fatalf("genuine untimed signature refused: %v", err)
		}
	})
}

// grafanaSign signs as Grafana does: HMAC-SHA256 over "timestamp:body", or
// over the body alone when no timestamp is sent.
func grafanaSign(secret string, body []byte, timestamp string) string {
	m := hmac.New(sha256.New, []byte(secret))
	if timestamp != "" {
		m.Write([]byte(timestamp + ":"))
	}
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}
