package ingest_test

import (
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/ingest"
)

// TestBadText: text that is not UTF-8 is refused with the path of the
// string at fault; NUL is refused in keys and labels, dropped from free
// text.
func TestBadText(t *testing.T) {
	pd := func(b []byte) ([]*warroom.AlertEvent, error) {
		_, ev, err := ingest.ParsePagerDuty(b)
		return []*warroom.AlertEvent{ev}, err
	}
	const pdOK = `{"routing_key":"k1234567","event_action":"trigger","dedup_key":"%s","payload":{"summary":"%s","source":"db1","severity":"critical","custom_details":{"x":"%s"}}}`
	for _, c := range []struct {
		name  string
		parse func([]byte) ([]*warroom.AlertEvent, error)
		body  string
		code  string
		field string // in the message
	}{
		{"pd summary", pd, fill(pdOK, "k", "a\xffb", ""), warroom.EMALFORMED, "payload.summary"},
		{"pd dedup key", pd, fill(pdOK, "k\xc3", "s", ""), warroom.EMALFORMED, "dedup_key"},
		{"pd dedup key surrogate", pd, fill(pdOK, `k\udfff`, "s", ""), warroom.EMALFORMED, "dedup_key"},
		{"pd details", pd, fill(pdOK, "k", "s", "\xe2\x82"), warroom.EMALFORMED, "payload.custom_details.x"},
		{"pd dedup key NUL", pd, fill(pdOK, `k\u0000`, "s", ""), warroom.EMALFORMED, "'dedup_key' must not contain NUL"},
		{"am label", ingest.ParseAlertmanager, `{"alerts":[{"labels":{"a":"b"}},{"labels":{"alertname":"x","instance":"h` + "\xff" + `"}}]}`, warroom.EMALFORMED, "alerts[1].labels.instance"},
		{"am label NUL", ingest.ParseAlertmanager, `{"alerts":[{"labels":{"a":"b"}},{"labels":{"alertname":"x","instance":"h\u0000"}}]}`, warroom.EMALFORMED, "alerts[1].labels.instance: must not contain NUL"},
		{"am label name NUL", ingest.ParseAlertmanager, `{"alerts":[{"labels":{"a\u0000":"b"}}]}`, warroom.EMALFORMED, "alerts[0].labels: has a member name with NUL"},
		{"am fingerprint NUL", ingest.ParseAlertmanager, `{"alerts":[{"fingerprint":"f\u0000"}]}`, warroom.EMALFORMED, "alerts[0].fingerprint"},
		{"am raw", ingest.ParseGrafana, `{"alerts":[{"labels":{"a":"b"},"extra":"\ud800"}]}`, warroom.EMALFORMED, "alerts[0].extra"},
		{"generic batch", ingest.ParseGeneric, `[{"summary":"ok"},{"summary":"x","dedup_key":"\ud800\ud800"}]`, warroom.EMALFORMED, "[1].dedup_key"},
		{"generic dedup key NUL", ingest.ParseGeneric, `{"summary":"x","dedup_key":"a\u0000"}`, warroom.EMALFORMED, "dedup_key"},
		{"generic label NUL", ingest.ParseGeneric, `{"summary":"x","labels":{"b":"1","a":"\u0000"}}`, warroom.EMALFORMED, "labels.a"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.parse([]byte(c.body))
			if warroom.ErrorCode(err) != c.code || !strings.Contains(err.Error(), c.field) {
				t.Fatalf("got %v, want %s naming %s", err, c.code, c.field)
			}
		})
	}
}

func fill(format string, args ...string) string {
	for _, a := range args {
		format = strings.Replace(format, "%s", a, 1)
	}
	return format
}

// TestNULFreeText: NUL in free text is dropped, and what keys an event is
// the text kept.
func TestNULFreeText(t *testing.T) {
	evs, err := ingest.ParseGeneric([]byte(`[{"summary":"disk\u0000 full","source":"db\u00001","links":[{"href":"http://x/\u0000","text":"a\u0000"}],"details":{"n":"\u0000"}},{"summary":"disk full","source":"db1"}]`))
	if err != nil {
		t.Fatal(err)
	}
	a, b := evs[0], evs[1]
	if a.Summary != "disk full" || a.Source != "db1" || a.Links[0].Href != "http://x/" || a.Links[0].Text != "a" {
		t.Fatalf("NUL kept: %+v", a)
	}
	if a.DedupKey != b.DedupKey {
		t.Fatalf("same text, different keys %q and %q", a.DedupKey, b.DedupKey)
	}
	if string(a.Details) != `{"n":"\u0000"}` {
		t.Fatalf("details are not kept as sent: %s", a.Details)
	}
	_, ev, err := ingest.ParsePagerDuty([]byte(`{"routing_key":"k1234567","event_action":"trigger","payload":{"summary":"s\u0000","source":"h\u0000","component":"c\u0000","severity":"info"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Summary != "s" || ev.Labels["source"] != "h" || ev.Labels["component"] != "c" {
		t.Fatalf("NUL kept: %+v", ev)
	}
}

// TestChangeBadText covers PagerDuty change events the same way.
func TestChangeBadText(t *testing.T) {
	_, _, err := ingest.ParsePagerDutyChange([]byte("{\"routing_key\":\"k\",\"payload\":{\"summary\":\"x\",\"source\":\"\xff\"}}"))
	if pe, ok := err.(*ingest.PagerDutyError); !ok || !strings.Contains(pe.Errors[0], "payload.source: is not valid UTF-8") {
		t.Fatalf("got %v", err)
	}
	_, _, err = ingest.ParsePagerDutyChange([]byte(`{"routing_key":"k\u0000","payload":{"summary":"x"}}`))
	if pe, ok := err.(*ingest.PagerDutyError); !ok || pe.Errors[0] != `'routing_key' must not contain NUL (\u0000)` {
		t.Fatalf("got %v", err)
	}
	_, c, err := ingest.ParsePagerDutyChange([]byte(`{"routing_key":"k","payload":{"summary":"dep\u0000loy","source":"ci\u0000"},"links":[{"href":"ftp://\u0000","text":"t\u0000"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(c.Title+c.Description, 0) || c.Title != "deploy" {
		t.Fatalf("NUL kept: %+v", c)
	}
}
