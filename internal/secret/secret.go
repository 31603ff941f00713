// Package secret encrypts credentials at rest: notification webhook URLs
// with tokens in them, SMTP passwords, chat bot secrets. It uses AES-256-GCM
// with a key from WARROOM_SECRET_KEY or from a key file created on first
// start, so that a copy of the database alone reveals none of them. The
// store keeps a value sealed with the key it first met and refuses to open
// with any other key, so a changed key stops the start instead of failing
// every later read.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the key length: AES-256.
const KeySize = 32

// prefix marks sealed values and their format version, so that a value
// stored in plain text before encryption existed is recognised and a
// future format can be told apart.
const prefix = "wrs1:"

// Redacted is what an API response shows in place of a secret.
const Redacted = "[redacted]"

// Box seals and opens secrets with one key. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
}

// New returns a Box for a KeySize-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret: key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext under a fresh random nonce. context binds the
// ciphertext to where it is stored (e.g. "channel:42:url"): a sealed value
// copied into another row fails to open.
func (b *Box) Seal(plaintext, context string) string {
	nonce := make([]byte, b.aead.NonceSize())
	rand.Read(nonce) // never fails; see crypto/rand
	out := b.aead.Seal(nonce, nonce, []byte(plaintext), []byte(context))
	return prefix + base64.RawStdEncoding.EncodeToString(out)
}

// ErrOpen is returned for a value that was not sealed by this key and
// context, or was altered.
var ErrOpen = errors.New("secret: cannot open: wrong key, wrong context or altered value")

// Open decrypts a value made by Seal with the same context.
func (b *Box) Open(sealed, context string) (string, error) {
	if !IsSealed(sealed) {
		return "", ErrOpen
	}
	raw, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(sealed, prefix))
	if err != nil || len(raw) < b.aead.NonceSize()+b.aead.Overhead() {
		return "", ErrOpen
	}
	n := b.aead.NonceSize()
	out, err := b.aead.Open(nil, raw[:n], raw[n:], []byte(context))
	if err != nil {
		return "", ErrOpen
	}
	return string(out), nil
}

// IsSealed reports whether s looks like a value made by Seal.
func IsSealed(s string) bool { return strings.HasPrefix(s, prefix) }

// LoadKey returns the key from env when it is set (64 hex digits or 44
// base64 characters), else from the file at path, creating the file with a
// new random key, readable by the owner only, when it does not exist.
func LoadKey(env, path string) ([]byte, error) {
	if env = strings.TrimSpace(env); env != "" {
		return parseKey(env, "WARROOM_SECRET_KEY")
	}
	if path == "" {
		return nil, errors.New("secret: no WARROOM_SECRET_KEY and no key file path")
	}
	b, err := os.ReadFile(path)
	if err == nil {
		return parseKey(strings.TrimSpace(string(b)), path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("secret: read key file: %w", err)
	}
	key := make([]byte, KeySize)
	rand.Read(key)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("secret: create key file: %w", err)
	}
	// O_EXCL: two instances starting at once must not each write a key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadKey("", path)
	} else if err != nil {
		return nil, fmt.Errorf("secret: create key file: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("secret: write key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("secret: write key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("secret: write key file: %w", err)
	}
	return key, nil
}

func parseKey(s, source string) ([]byte, error) {
	if k, err := hex.DecodeString(s); err == nil && len(k) == KeySize {
		return k, nil
	}
	if k, err := base64.StdEncoding.DecodeString(s); err == nil && len(k) == KeySize {
		return k, nil
	}
	return nil, fmt.Errorf("secret: %s must hold a %d-byte key as 64 hex digits or base64", source, KeySize)
}

// KeyPath is the default key file: beside a SQLite database file, or in
// dir for PostgreSQL, which has no file to sit beside.
func KeyPath(database, dir string) string {
	if database != "" && !strings.Contains(database, "://") {
		p, _, _ := strings.Cut(strings.TrimPrefix(database, "file:"), "?")
		return p + ".key"
	}
	return filepath.Join(dir, "warroom.key")
}
