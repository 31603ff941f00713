package store_test

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// openRaw opens the database behind dsn directly, as someone with access
// to the server's disk or credentials would, bypassing warroom.
func openRaw(t *testing.T, engine, dsn string) *sql.DB {
	t.Helper()
	driver := "sqlite"
	if engine == store.EnginePostgres {
		driver = "pgx"
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// TestAuditChain writes entries through warroom, then tampers with the
// table directly in every way the chain must catch.
func TestAuditChain(t *testing.T) {
	tests := []struct {
		name   string
		tamper string
		want   warroom.AuditBreak
		bad    int // index into the entries, newest last
	}{
		{"Modified", `UPDATE audit_log SET source_ip = '10.6.6.6' WHERE id = $3`, warroom.AuditModified, 3},
		{"ModifiedData", `UPDATE audit_log SET data = '{"role":{"from":"viewer","to":"admin"}}' WHERE id = $3`, warroom.AuditModified, 3},
		{"Deleted", `DELETE FROM audit_log WHERE id = $3`, warroom.AuditMissing, 4},
		{"Truncated", `DELETE FROM audit_log WHERE id = $last`, warroom.AuditTruncated, -1},
		{"Inserted", `INSERT INTO audit_log (id, at, action, target_type, target_id, source_ip, prev_hash, hash)
			SELECT $last + 1, at, 'user.update', 'user', '1', '', hash, hash FROM audit_log WHERE id = $last`, warroom.AuditModified, -2},
	}
	storetest.Run(t, func(t *testing.T, engine string) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := context.Background()
				dsn := storetest.DSN(t, engine)
				db, err := store.Open(ctx, dsn, store.Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				_, actx, _ := storetest.User(t, db, warroom.UserRoleAdmin)
				for _, name := range []string{"a", "b", "c"} {
					if err := db.CreateService(actx, &warroom.Service{Name: name, Tier: 2}); err != nil {
						t.Fatal(err)
					}
				}
				v, err := db.VerifyAudit(ctx)
				if err != nil || !v.OK || v.Entries < 5 {
					t.Fatalf("before tampering: %+v, %v", v, err)
				}
				es, _, err := db.FindAuditEntries(ctx, warroom.AuditFilter{Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				ids := make([]int64, len(es)) // oldest first
				for i, e := range es {
					ids[len(es)-1-i] = e.ID
				}
				last := ids[len(ids)-1]
				q := strings.NewReplacer("$3", itoa(ids[3]), "$last", itoa(last)).Replace(tt.tamper)
				if _, err := openRaw(t, engine, dsn).Exec(q); err != nil {
					t.Fatalf("tamper: %v", err)
				}
				v, err = db.VerifyAudit(ctx)
				if err != nil {
					t.Fatal(err)
				}
				wantID := last
				switch {
				case tt.bad >= 0:
					wantID = ids[tt.bad]
				case tt.bad == -2:
					wantID = last + 1
				}
				if v.OK || v.Break != tt.want || v.FirstBadID != wantID {
					t.Errorf("verify = %+v, want break %q at entry %d", v, tt.want, wantID)
				}
			})
		}
	})
}

// TestAuditChainConcurrent checks that a chain stays valid across
// reopening the store and many writers at once.
func TestAuditChainConcurrent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		dsn := storetest.DSN(t, engine)
		db, err := store.Open(ctx, dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, actx, _ := storetest.User(t, db, warroom.UserRoleAdmin)
		errs := make(chan error, 20)
		for i := range 20 {
			go func() {
				errs <- db.CreateService(actx, &warroom.Service{Name: "svc-" + itoa(int64(i)), Tier: 3})
			}()
		}
		for range 20 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		db.Close()
		db, err = store.Open(ctx, dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		v, err := db.VerifyAudit(ctx)
		if err != nil || !v.OK || v.Entries != 22 {
			t.Fatalf("verify = %+v, %v; want OK with 22 entries", v, err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
