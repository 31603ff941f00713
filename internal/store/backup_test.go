package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
)

// TestBackup copies a database with a change still in its WAL and expects
// the copy to hold it, to be readable by the owner alone and to refuse an
// existing file.
func TestBackup(t *testing.T) {
	for _, engine := range []string{store.EngineSQLite, store.EnginePostgres} {
		t.Run(engine, func(t *testing.T) {
			if engine == store.EnginePostgres && os.Getenv("WARROOM_TEST_POSTGRES_URL") == "" {
				t.Skip("WARROOM_TEST_POSTGRES_URL is not set")
			}
			e := newEnv(t, engine)
			e.declare(t, &warroom.Incident{Title: "Checkout down"})
			path := filepath.Join(t.TempDir(), "backup.db")
			err := e.db.Backup(context.Background(), path)
			if engine == store.EnginePostgres {
				wantCode(t, err, warroom.EINVALID)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != 0o600 {
				t.Errorf("mode %v, want 0600", got)
			}
			wantCode(t, e.db.Backup(context.Background(), path), warroom.EINVALID)

			copied, err := store.Open(context.Background(), path, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer copied.Close()
			incs, _, err := copied.FindIncidents(e.ctx, warroom.IncidentFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(incs) != 1 || incs[0].Title != "Checkout down" {
				t.Fatalf("incidents in the copy: %+v", incs)
			}
			v, err := copied.VerifyAudit(context.Background())
			if err != nil || !v.OK {
				t.Fatalf("audit of the copy: %+v, %v", v, err)
			}
		})
	}
}
