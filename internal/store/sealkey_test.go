package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/secret"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func box(t *testing.T, b byte) *secret.Box {
	t.Helper()
	k, err := secret.New(bytes.Repeat([]byte{b}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func reopen(t *testing.T, dsn string, s store.Sealer) error {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, store.Options{Sealer: s})
	if err == nil {
		db.Close()
	}
	return err
}

// TestOpen_SealerMismatch: a database refuses to open with a key other than
// the one it met first, whether or not it holds credentials yet, and a
// database sealed before the key check existed is tested on what it holds.
func TestOpen_SealerMismatch(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		t.Run("Empty", func(t *testing.T) {
			dsn := storetest.DSN(t, engine)
			if err := reopen(t, dsn, box(t, 1)); err != nil {
				t.Fatal(err)
			}
			if err := reopen(t, dsn, box(t, 1)); err != nil {
				t.Errorf("same key: %v", err)
			}
			if err := reopen(t, dsn, box(t, 2)); !errors.Is(err, store.ErrSealerMismatch) {
				t.Errorf("other key: err %v, want ErrSealerMismatch", err)
			}
		})
		t.Run("SealedBeforeTheCheck", func(t *testing.T) {
			dsn := storetest.DSN(t, engine)
			db, err := store.Open(ctx, dsn, store.Options{Sealer: box(t, 1)})
			if err != nil {
				t.Fatal(err)
			}
			u, _, _ := storetest.User(t, db, warroom.UserRoleResponder)
			cm := &warroom.ContactMethod{UserID: u.ID, Type: warroom.ContactSlack, Name: "s", Address: "https://hooks.slack.com/services/T/B/X"}
			if err := db.CreateContactMethod(ctx, cm); err != nil {
				t.Fatal(err)
			}
			db.Close()
			if _, err := openRaw(t, engine, dsn).Exec(`DELETE FROM settings WHERE key = 'secret.key_check'`); err != nil {
				t.Fatal(err)
			}
			if err := reopen(t, dsn, box(t, 2)); !errors.Is(err, store.ErrSealerMismatch) {
				t.Errorf("other key: err %v, want ErrSealerMismatch", err)
			}
			// The refusal wrote nothing: the right key still opens it.
			if err := reopen(t, dsn, box(t, 1)); err != nil {
				t.Errorf("original key: %v", err)
			}
			if err := reopen(t, dsn, box(t, 2)); !errors.Is(err, store.ErrSealerMismatch) {
				t.Errorf("other key after the check was written: err %v, want ErrSealerMismatch", err)
			}
		})
		t.Run("NoSealer", func(t *testing.T) {
			dsn := storetest.DSN(t, engine)
			if err := reopen(t, dsn, box(t, 1)); err != nil {
				t.Fatal(err)
			}
			// Without a key nothing is sealed or opened; the check has
			// nothing to say.
			if err := reopen(t, dsn, nil); err != nil {
				t.Errorf("no sealer: %v", err)
			}
		})
	})
}
