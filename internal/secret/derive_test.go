package secret_test

import (
	"bytes"
	"testing"

	"github.com/warroomhq/warroom/internal/secret"
)

func TestDeriveKey(t *testing.T) {
	key := bytes.Repeat([]byte{1}, secret.KeySize)
	a, err := secret.DeriveKey(key, secret.PurposeAudit)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := secret.DeriveKey(key, secret.PurposeAudit)
	other, _ := secret.DeriveKey(key, "another purpose")
	otherKey, _ := secret.DeriveKey(bytes.Repeat([]byte{2}, secret.KeySize), secret.PurposeAudit)
	switch {
	case len(a) != secret.KeySize:
		t.Errorf("derived %d bytes, want %d", len(a), secret.KeySize)
	case !bytes.Equal(a, again):
		t.Errorf("the same key and purpose derived two keys")
	case bytes.Equal(a, key), bytes.Equal(a, other), bytes.Equal(a, otherKey):
		t.Errorf("derived key equals the master key or another purpose's or key's")
	}
	if _, err := secret.DeriveKey(key[:16], secret.PurposeAudit); err == nil {
		t.Errorf("a 16-byte key was accepted")
	}
}
