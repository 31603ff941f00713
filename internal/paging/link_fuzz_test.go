package paging

import (
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
)

// FuzzParseLink feeds arbitrary tokens from the URL to the link parser: it
// must never panic, never accept a token it did not sign, and read back
// exactly the claim of every token it did sign.
func FuzzParseLink(f *testing.F) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Unix(1_800_000_000, 0)
	good := signLink(key, LinkClaim{IncidentID: 42, UserID: 7, Action: warroom.LinkAcknowledge, Expires: now.Add(time.Hour)})
	for _, s := range []string{good, "", ".", "1.2.ack.3.", "42.7.acknowledge.1800003600.x", good + "x", strings.Replace(good, "42", "43", 1)} {
		f.Add(s, int64(42), int64(7), true)
	}
	f.Fuzz(func(t *testing.T, token string, inc, user int64, ack bool) {
		if c, err := parseLink(key, token, now); err == nil && signLink(key, c) != token {
			t.Fatalf("accepted %q, which is not the token of its own claim %+v", token, c)
		}
		action := warroom.LinkResolve
		if ack {
			action = warroom.LinkAcknowledge
		}
		want := LinkClaim{IncidentID: inc, UserID: user, Action: action, Expires: now.Add(time.Hour)}
		got, err := parseLink(key, signLink(key, want), now)
		if err != nil || got != want {
			t.Fatalf("signed claim %+v read back as %+v, %v", want, got, err)
		}
		if _, err := parseLink([]byte("another key, another installation"), signLink(key, want), now); err == nil {
			t.Fatal("a token signed with another key was accepted")
		}
	})
}
