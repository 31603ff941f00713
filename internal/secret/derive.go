package secret

import (
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
)

// Purposes of keys derived from the secret key. Each names its use and a
// version, so that no two uses ever share a key and a new scheme gets a
// new key.
const (
	// PurposeAudit MACs the audit log and its checkpoints.
	PurposeAudit = "warroom audit log v1"
)

// DeriveKey returns a KeySize-byte subkey of key for purpose by HKDF-SHA256
// (RFC 5869). The sealing key itself is never used for anything but
// sealing: a MAC key that leaks, through a bug in what it MACs, then
// reveals nothing about the credentials, nor the reverse.
func DeriveKey(key []byte, purpose string) ([]byte, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret: key must be %d bytes, got %d", KeySize, len(key))
	}
	k, err := hkdf.Key(sha256.New, key, nil, purpose, KeySize)
	if err != nil {
		return nil, fmt.Errorf("secret: derive key: %w", err)
	}
	return k, nil
}
