// Package ingest turns what monitoring systems send into warroom.AlertEvents:
// PagerDuty Events API v2, Prometheus Alertmanager and Grafana webhooks, and
// warroom's own generic JSON. Parsers are pure functions of the body so that
// they can be fuzzed and tested against recorded payloads; authentication,
// limits and storage belong to the HTTP layer that calls them.
package ingest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/jsontext"
)

// NewDedupKey returns a random 32-character key, as PagerDuty generates for
// a trigger sent without one.
func NewDedupKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// LabelsKey returns a stable key for a label set: the same labels in any
// order give the same key. It stands in for a fingerprint when a sender
// gives none.
func LabelsKey(labels map[string]string) string {
	names := make([]string, 0, len(labels))
	for k := range labels {
		names = append(names, k)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, k := range names {
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write([]byte(labels[k]))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Severity maps the many words monitoring rules use for severity onto
// PagerDuty's four levels; anything unknown or absent is an error, which is
// what an alert nobody classified most likely is.
func Severity(s string) warroom.AlertSeverity {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical", "crit", "page", "fatal", "emergency", "disaster", "p0", "p1", "sev1", "sev0":
		return warroom.AlertCritical
	case "warning", "warn", "medium", "minor", "average", "p3", "sev3":
		return warroom.AlertWarning
	case "info", "informational", "information", "low", "notice", "ok", "none", "p4", "p5", "sev4", "sev5":
		return warroom.AlertInfo
	}
	return warroom.AlertError
}

// capRaw keeps a raw payload only when it is small enough to be worth
// storing beside the alert.
func capRaw(b []byte) json.RawMessage {
	if len(b) > warroom.MaxRawBytes {
		return nil
	}
	return json.RawMessage(b)
}

// details marshals v for AlertEvent.Details; nothing for empty values.
func details(v any) json.RawMessage {
	switch x := v.(type) {
	case nil:
		return nil
	case map[string]string:
		if len(x) == 0 {
			return nil
		}
	case map[string]any:
		if len(x) == 0 {
			return nil
		}
	}
	b, err := json.Marshal(v)
	if err != nil || len(b) > warroom.MaxDetailsBytes {
		return nil
	}
	return b
}

// timeLayouts are the ISO 8601 forms senders use: RFC 3339, and the
// offset without a colon that PagerDuty's own examples show.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999"}

// parseTime reads an ISO 8601 instant (UTC when it has no offset); the zero time and Go's zero value as
// text both mean "not given".
func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	var t time.Time
	var err error
	for _, layout := range timeLayouts {
		if t, err = time.Parse(layout, s); err == nil {
			break
		}
	}
	if err != nil {
		return time.Time{}, warroom.FieldErrorf(field, "must be an ISO 8601 time such as 2025-01-02T15:04:05Z, got %q", s)
	}
	if t.Year() <= 1 {
		return time.Time{}, nil
	}
	return t.UTC(), nil
}

// decodeObject decodes a JSON object leniently (unknown fields are ignored,
// as the senders add fields over time) and reports errors in the API's
// terms. Text that is not UTF-8 is refused rather than decoded, which would
// replace it (text.go says why).
func decodeObject(body []byte, v any) error {
	if len(strings.TrimSpace(string(body))) == 0 {
		return warroom.Errorf(warroom.EMALFORMED, "request body is empty; expected a JSON object")
	}
	if err := jsontext.Check(body, jsontext.NULInNames); err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		var typ *json.UnmarshalTypeError
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &typ) && typ.Field != "":
			return &warroom.Error{Code: warroom.EMALFORMED, Field: typ.Field, Message: fmt.Sprintf("%s: must be %s, got %s", typ.Field, typ.Type, typ.Value)}
		case errors.As(err, &typ):
			return warroom.Errorf(warroom.EMALFORMED, "request body must be a JSON object, got %s", typ.Value)
		case errors.As(err, &syn):
			return warroom.Errorf(warroom.EMALFORMED, "malformed JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
		}
		return warroom.Errorf(warroom.EMALFORMED, "malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}
