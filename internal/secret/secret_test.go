package secret_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warroomhq/warroom/internal/secret"
)

func newBox(t *testing.T) *secret.Box {
	t.Helper()
	b, err := secret.New(bytes.Repeat([]byte{7}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpen(t *testing.T) {
	b := newBox(t)
	const url = "https://hooks.slack.com/services/T000/B000/XXXXSECRET"
	s := b.Seal(url, "channel:1:url")
	if strings.Contains(s, "XXXXSECRET") || !secret.IsSealed(s) {
		t.Fatalf("sealed = %q", s)
	}
	if s2 := b.Seal(url, "channel:1:url"); s2 == s {
		t.Error("two seals of one value are equal: the nonce is not fresh")
	}
	got, err := b.Open(s, "channel:1:url")
	if err != nil || got != url {
		t.Fatalf("open = %q, %v", got, err)
	}
	other, _ := secret.New(bytes.Repeat([]byte{8}, secret.KeySize))
	tampered := s[:len(s)-2] + "AA"
	for name, tt := range map[string]struct {
		box     *secret.Box
		value   string
		context string
	}{
		"WrongContext": {b, s, "channel:2:url"},
		"WrongKey":     {other, s, "channel:1:url"},
		"Tampered":     {b, tampered, "channel:1:url"},
		"Plain":        {b, url, "channel:1:url"},
		"Short":        {b, "wrs1:AAAA", "channel:1:url"},
	} {
		t.Run(name, func(t *testing.T) {
			if got, err := tt.box.Open(tt.value, tt.context); err != secret.ErrOpen || got != "" {
				t.Errorf("open = %q, %v; want ErrOpen", got, err)
			}
		})
	}
}

func TestNewBadKey(t *testing.T) {
	if _, err := secret.New([]byte("short")); err == nil {
		t.Error("a 5-byte key was accepted")
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "warroom.db.key")
	k1, err := secret.LoadKey("", path)
	if err != nil || len(k1) != secret.KeySize {
		t.Fatalf("create: %x, %v", k1, err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", fi.Mode(), err)
	}
	k2, err := secret.LoadKey("", path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("reload = %x, %v; want the same key", k2, err)
	}
	env := strings.Repeat("ab", secret.KeySize)
	k3, err := secret.LoadKey(env, path)
	if err != nil || k3[0] != 0xab {
		t.Fatalf("env key = %x, %v", k3, err)
	}
	if _, err := secret.LoadKey("not a key", path); err == nil || !strings.Contains(err.Error(), "WARROOM_SECRET_KEY") {
		t.Errorf("bad env key: %v", err)
	}
	if got := secret.KeyPath("/var/lib/warroom/warroom.db", "/etc"); got != "/var/lib/warroom/warroom.db.key" {
		t.Errorf("KeyPath sqlite = %q", got)
	}
	if got := secret.KeyPath("postgres://db/warroom", "/etc/warroom"); got != "/etc/warroom/warroom.key" {
		t.Errorf("KeyPath postgres = %q", got)
	}
}
