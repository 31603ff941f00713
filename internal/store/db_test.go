package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

func TestOpen(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		dsn := storetest.DSN(t, engine)
		db, err := store.Open(ctx, dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if db.Engine() != engine {
			t.Fatalf("engine = %q, want %q", db.Engine(), engine)
		}
		if err := db.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		inc := &warroom.Incident{Title: "survives", Type: warroom.TypeOther}
		if err := db.DeclareIncident(ctx, inc); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		// Reopening runs the migrations again (a no-op) and finds the data.
		db, err = store.Open(ctx, dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		got, err := db.FindIncidentByID(ctx, inc.ID)
		if err != nil || got.Title != "survives" {
			t.Fatalf("after reopen = %+v, %v", got, err)
		}
	})
}

func TestOpenSQLiteDSN(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, dsn string
		ok        bool
	}{
		{"FileURI", "file:" + t.TempDir() + "/w.db", true},
		{"FileURIWithParams", "file:" + t.TempDir() + "/w.db?_pragma=cache_size(-2000)", true},
		{"Memory", ":memory:", false},
		{"Empty", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := store.Open(ctx, tc.dsn, store.Options{})
			if (err == nil) != tc.ok {
				t.Fatalf("open %q: err = %v, want ok %v", tc.dsn, err, tc.ok)
			}
			if db != nil {
				db.Close()
			}
		})
	}
}

// TestOpenConcurrentPostgres starts several instances on one new database at
// once: the advisory lock must let exactly one of them migrate.
func TestOpenConcurrentPostgres(t *testing.T) {
	for _, engine := range storetest.Engines() {
		if engine != store.EnginePostgres {
			continue
		}
		dsn := storetest.DSN(t, engine)
		errs := make(chan error, 4)
		for i := 0; i < cap(errs); i++ {
			go func() {
				db, err := store.Open(context.Background(), dsn, store.Options{})
				if err == nil {
					err = db.Close()
				}
				errs <- err
			}()
		}
		for i := 0; i < cap(errs); i++ {
			if err := <-errs; err != nil {
				t.Errorf("concurrent open: %v", err)
			}
		}
	}
}

// TestOpen_PathTakenLiterally guards against a path with '#' or '?' being
// cut short and opening another file.
func TestOpen_PathTakenLiterally(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ops#1?x.db")
	db, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at %q: %v", path, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "ops")); err == nil {
		t.Fatal("the path was cut at '#'")
	}
}
