package main

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestAuditVerify edits an audit row straight in the database, as an
// insider with database access would, and expects `warroom audit verify`
// to name it and exit 1.
func TestAuditVerify(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		dsn := storetest.DSN(t, engine)
		db, err := store.Open(ctx, dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		u, actx, _ := storetest.User(t, db, warroom.UserRoleAdmin)
		name := "Renamed"
		if _, err := db.UpdateUser(actx, u.ID, warroom.UserUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		env := map[string]string{"WARROOM_DATABASE": dsn}

		r := warroomCLIEnv(t, env, "", "audit", "verify")
		if r.code != exitOK || !strings.Contains(r.stdout, "OK: audit log intact: 3 entries") {
			t.Fatalf("intact: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}

		driver := "sqlite"
		if engine == store.EnginePostgres {
			driver = "pgx"
		}
		raw, err := sql.Open(driver, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		var id int64
		if err := raw.QueryRow(`SELECT MIN(id) FROM audit_log WHERE action = 'user.update'`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(`UPDATE audit_log SET data = '{"name":{"from":"x","to":"y"}}' WHERE action = 'user.update'`); err != nil {
			t.Fatal(err)
		}
		want := "BROKEN at entry " + strconv.FormatInt(id, 10) + " (modified)"
		r = warroomCLIEnv(t, env, "", "audit", "verify")
		if r.code != exitFailure || !strings.Contains(r.stdout, want) {
			t.Errorf("tampered: code %d, stdout %q, stderr %q; want exit 1 and %q", r.code, r.stdout, r.stderr, want)
		}
		r = warroomCLIEnv(t, env, "", "--json", "audit", "verify")
		if r.code != exitFailure || !strings.Contains(r.stdout, `"first_bad_id": `+strconv.FormatInt(id, 10)) {
			t.Errorf("tampered --json: code %d, stdout %q", r.code, r.stdout)
		}
	})
}

// TestAuditVerifyMissingDatabase expects a mistyped SQLite path to fail
// rather than create an empty database whose empty log verifies.
func TestAuditVerifyMissingDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "typo.db")
	r := warroomCLIEnv(t, map[string]string{"WARROOM_DATABASE": path}, "", "audit", "verify")
	if r.code != exitFailure || !strings.Contains(r.stderr, "no database at "+path) {
		t.Errorf("code %d, stdout %q, stderr %q; want exit 1 and \"no database at %s\"", r.code, r.stdout, r.stderr, path)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stat %s: %v; want the file not created", path, err)
	}
}
