package engine_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/checkpoint"
	"github.com/warroomhq/warroom/internal/engine"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// TestAuditCheckpoints runs the module against a real store and a real
// file: one checkpoint per interval, a failed write retried after Retry,
// and the file verifies against the log.
func TestAuditCheckpoints(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engineName string) {
		ctx := context.Background()
		db, err := store.Open(ctx, storetest.DSN(t, engineName), store.Options{AuditKey: bytes.Repeat([]byte{3}, 32)})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		_, actx, _ := storetest.User(t, db, warroom.UserRoleAdmin)
		dir := t.TempDir()
		path := filepath.Join(dir, "checkpoints.jsonl")
		good := &checkpoint.Writer{Destinations: []checkpoint.Destination{{Kind: checkpoint.KindFile, Target: path}}}
		bad := &checkpoint.Writer{Destinations: []checkpoint.Destination{{Kind: checkpoint.KindFile, Target: dir}}}
		m := &engine.AuditCheckpoints{Checkpoints: db, Every: time.Hour, Write: good.Write, Retry: time.Minute}
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		lines := func() []warroom.AuditCheckpoint {
			t.Helper()
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cps, err := checkpoint.Read(f)
			if err != nil {
				t.Fatal(err)
			}
			return cps
		}
		tick := func(at time.Time) error { return m.Tick(ctx, at) }

		if err := tick(now); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateService(actx, &warroom.Service{Name: "a", Tier: 2}); err != nil {
			t.Fatal(err)
		}
		if err := tick(now.Add(30 * time.Minute)); err != nil || len(lines()) != 1 {
			t.Fatalf("within the hour: %v, %d checkpoints; want 1", err, len(lines()))
		}
		m.Write = bad.Write
		if err := tick(now.Add(time.Hour)); err == nil {
			t.Fatalf("writing to a directory succeeded")
		}
		m.Write = good.Write
		if err := tick(now.Add(time.Hour + 30*time.Second)); err != nil || len(lines()) != 1 {
			t.Fatalf("before the retry: %v, %d checkpoints; want 1", err, len(lines()))
		}
		if err := tick(now.Add(time.Hour + time.Minute)); err != nil || len(lines()) != 2 {
			t.Fatalf("at the retry: %v, %d checkpoints; want 2", err, len(lines()))
		}
		cps := lines()
		if cps[1].Seq <= cps[0].Seq {
			t.Errorf("checkpoints %+v do not follow the log", cps)
		}
		if v, err := db.VerifyAuditCheckpoints(ctx, cps); err != nil || !v.OK {
			t.Errorf("verify against the file: %+v, %v", v, err)
		}
	})
}
