package warroom

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAlertEventEncode(t *testing.T) {
	tests := []struct {
		name   string
		labels map[string]string
	}{
		{"none", nil},
		{"sorted", map[string]string{"z": "1", "a": "2", "m": ""}},
		{"escapes", map[string]string{"q\"uote": "back\\slash", "ctl": "a\nb\tc\rd\x01e", "html": "<a&b>"}},
		{"unicode", map[string]string{"名前": "値 ✓", "sep": "\u2028"}},
		{"invalid utf-8", map[string]string{"k": "\xff\xfe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := &AlertEvent{Labels: tt.labels, Links: []Link{{Href: "http://x/?a=1&b=<2>", Text: "t"}}}
			ev.Encode()
			want, _ := json.Marshal(tt.labels)
			var got, wantMap map[string]string
			if err := json.Unmarshal([]byte(ev.EncodedLabels), &got); err != nil {
				t.Fatalf("EncodedLabels %q is not JSON: %v", ev.EncodedLabels, err)
			}
			if err := json.Unmarshal(want, &wantMap); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(wantMap) {
				t.Fatalf("got %v, want %v", got, wantMap)
			}
			for k, v := range wantMap {
				if got[k] != v {
					t.Errorf("label %q: got %q, want %q", k, got[k], v)
				}
			}
			var links []Link
			if err := json.Unmarshal([]byte(ev.EncodedLinks), &links); err != nil || len(links) != 1 || links[0] != ev.Links[0] {
				t.Errorf("EncodedLinks %q: got %v (%v), want %v", ev.EncodedLinks, links, err, ev.Links)
			}
		})
	}
	t.Run("same bytes as encoding/json for plain labels", func(t *testing.T) {
		labels := map[string]string{"alertname": "DiskFull", "instance": "node-1:9100", "severity": "warning"}
		ev := &AlertEvent{Labels: labels}
		ev.Encode()
		want, _ := json.Marshal(labels)
		if ev.EncodedLabels != string(want) {
			t.Errorf("got %s, want %s", ev.EncodedLabels, want)
		}
		if ev.EncodedLinks != "" {
			t.Errorf("EncodedLinks: got %q, want empty without links", ev.EncodedLinks)
		}
	})
}

// TestGroupKeyIsExact: a group key that cannot be stored as it is becomes
// its digest, never a cut or cleaned key that another group could share.
func TestGroupKeyIsExact(t *testing.T) {
	long := strings.Repeat("g", MaxGroupKeyLen)
	keys := []string{long + "a", long + "b", "x\x00y", "xy", "k\xff", "k\xfe"}
	seen := map[string]string{}
	for _, k := range keys {
		e := &AlertEvent{Action: ActionTrigger, DedupKey: "d", Summary: "s", GroupKey: k}
		if err := e.Validate(); err != nil {
			t.Fatalf("Validate(%q): %v", k, err)
		}
		if len(e.GroupKey) > MaxGroupKeyLen || strings.ContainsRune(e.GroupKey, 0) || !utf8.ValidString(e.GroupKey) {
			t.Errorf("group key %q kept as %q: not storable", k, e.GroupKey)
		}
		if other, ok := seen[e.GroupKey]; ok {
			t.Errorf("group keys %q and %q both became %q", other, k, e.GroupKey)
		}
		seen[e.GroupKey] = k
	}
}
