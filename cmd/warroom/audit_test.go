package main

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/secret"
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
		// No secret key: the log stays unkeyed and the key file in the
		// user's configuration directory is not looked at.
		env := map[string]string{"WARROOM_DATABASE": dsn, "WARROOM_SECRET_KEY_FILE": filepath.Join(t.TempDir(), "none.key")}

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

// TestAuditCheckpointCLI writes a checkpoint with the CLI, then deletes
// the newest entries and moves the head, and empties the log, as someone
// with the database but not the key would: the chain alone cannot tell,
// `audit verify --checkpoint` must.
func TestAuditCheckpointCLI(t *testing.T) {
	master := strings.Repeat("ab", 32)
	storetest.Run(t, func(t *testing.T, engine string) {
		for _, tt := range []struct {
			name, tamper, want string
		}{
			{"TailDeleteHeadMove", `DELETE FROM audit_log WHERE id > (SELECT MIN(id) FROM audit_log) + 1;
				UPDATE audit_chain SET head_id = (SELECT MAX(id) FROM audit_log), head_hash = (SELECT hash FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)) WHERE id = 1`, "(truncated)"},
			{"Wipe", `DELETE FROM audit_log; UPDATE audit_chain SET head_id = 0, head_hash = '' WHERE id = 1`, "(emptied)"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				ctx := context.Background()
				dsn := storetest.DSN(t, engine)
				key, _ := hex.DecodeString(master)
				auditKey, err := secret.DeriveKey(key, secret.PurposeAudit)
				if err != nil {
					t.Fatal(err)
				}
				db, err := store.Open(ctx, dsn, store.Options{AuditKey: auditKey})
				if err != nil {
					t.Fatal(err)
				}
				_, actx, _ := storetest.User(t, db, warroom.UserRoleAdmin)
				for _, name := range []string{"a", "b", "c"} {
					if err := db.CreateService(actx, &warroom.Service{Name: name, Tier: 2}); err != nil {
						t.Fatal(err)
					}
				}
				db.Close()
				file := filepath.Join(t.TempDir(), "checkpoints.jsonl")
				env := map[string]string{"WARROOM_DATABASE": dsn, "WARROOM_SECRET_KEY": master}

				r := warroomCLIEnv(t, env, "", "audit", "checkpoint", "--to", file)
				if r.code != exitOK || !strings.Contains(r.stdout, `"mac":`) {
					t.Fatalf("checkpoint: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
				}
				if r := warroomCLIEnv(t, env, "", "audit", "verify", "--checkpoint", file); r.code != exitOK {
					t.Fatalf("verify before tampering: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
				}

				raw, err := sql.Open(map[bool]string{true: "pgx", false: "sqlite"}[engine == store.EnginePostgres], dsn)
				if err != nil {
					t.Fatal(err)
				}
				defer raw.Close()
				for _, q := range strings.Split(tt.tamper, ";") {
					if _, err := raw.Exec(q); err != nil {
						t.Fatalf("tamper %q: %v", q, err)
					}
				}
				if r := warroomCLIEnv(t, env, "", "audit", "verify"); r.code != exitOK {
					t.Logf("the chain alone caught it too: %q", r.stdout)
				}
				r = warroomCLIEnv(t, env, "", "audit", "verify", "--checkpoint", file)
				if r.code != exitFailure || !strings.Contains(r.stdout, tt.want) {
					t.Errorf("verify --checkpoint: code %d, stdout %q, stderr %q; want exit 1 and %q", r.code, r.stdout, r.stderr, tt.want)
				}

				env["WARROOM_SECRET_KEY"] = strings.Repeat("cd", 32)
				if r := warroomCLIEnv(t, env, "", "audit", "verify", "--checkpoint", file); r.code == exitOK || !strings.Contains(r.stderr, "not the one the audit log") {
					t.Errorf("verify with another key: code %d, stderr %q", r.code, r.stderr)
				}
			})
		}
	})
}
