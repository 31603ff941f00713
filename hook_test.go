package warroom_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
)

// Every event type carries a real timeline kind, once, and the way back
// from the kind finds the type.
func TestHookEventTypes(t *testing.T) {
	seen := map[warroom.EventKind]bool{}
	for _, ht := range warroom.HookEventTypes() {
		k := ht.Kind()
		if !k.Valid() {
			t.Errorf("%s carries unknown kind %q", ht, k)
		}
		if seen[k] {
			t.Errorf("kind %s carried twice", k)
		}
		seen[k] = true
		if got := warroom.HookEventTypeOf(k); got != ht {
			t.Errorf("HookEventTypeOf(%s) = %s, want %s", k, got, ht)
		}
		if prefix, _, ok := strings.Cut(string(ht), "."); !ok || !strings.Contains("incident alert change postmortem action_item", prefix) {
			t.Errorf("%s names no object", ht)
		}
	}
	for _, k := range []warroom.EventKind{warroom.EventNotificationSent, warroom.EventReminder} {
		if warroom.HookEventTypeOf(k) != "" {
			t.Errorf("%s would be sent to subscriptions", k)
		}
	}
	if warroom.HookEventType("incident.exploded").Kind() != "" {
		t.Error("an unknown type has a kind")
	}
}

func TestHookBackoff(t *testing.T) {
	prev := warroom.HookBackoff(0)
	for n := 1; n <= warroom.MaxHookAttempts+2; n++ {
		d := warroom.HookBackoff(n)
		if d < prev {
			t.Errorf("backoff(%d) = %s shrank from %s", n, d, prev)
		}
		prev = d
	}
}

// FuzzHookSubscription feeds subscription bodies as the API decodes them
// to Validate: it never panics, and what it accepts holds only known
// values, each once.
func FuzzHookSubscription(f *testing.F) {
	for _, s := range []string{
		`{"name":"tickets","url":"https://t.example.com/in","event_types":["incident.declared"],"severities":["P0","P1"]}`,
		`{"name":"x","url":"http://10.0.0.1/","service_ids":[1,1,2],"incident_types":["data_loss"],"drills":true}`,
		`{"name":" ","url":"ftp://x"}`,
		`{"name":"a","url":"https://x.example.com","event_types":["incident.declared","incident.declared"]}`,
		`{"name":"a","url":"https://x.example.com","severities":["p0"],"service_ids":[-3]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var s warroom.HookSubscription
		if json.Unmarshal(b, &s) != nil {
			return
		}
		if err := s.Validate(); err != nil {
			if warroom.ErrorCode(err) != warroom.EINVALID || warroom.ErrorField(err) == "" {
				t.Fatalf("Validate: %v (code %s, field %q)", err, warroom.ErrorCode(err), warroom.ErrorField(err))
			}
			return
		}
		seen := map[string]bool{}
		for _, v := range s.EventTypes {
			if v.Kind() == "" || seen["e"+string(v)] {
				t.Fatalf("accepted event types %v", s.EventTypes)
			}
			seen["e"+string(v)] = true
		}
		for _, v := range s.Severities {
			if !v.Valid() || seen["s"+string(v)] {
				t.Fatalf("accepted severities %v", s.Severities)
			}
			seen["s"+string(v)] = true
		}
		for _, v := range s.ServiceIDs {
			if v <= 0 {
				t.Fatalf("accepted service IDs %v", s.ServiceIDs)
			}
		}
		if strings.TrimSpace(s.Name) == "" || s.URL == "" {
			t.Fatalf("accepted %+v", s)
		}
	})
}
