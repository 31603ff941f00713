package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// TestStmtSetBounded checks that texts of every IN-list length do not grow
// a pool's statement set past its bound, and that a text evicted runs
// again.
func TestStmtSetBounded(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "warroom.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for n := 1; n <= maxStmts+50; n++ {
		tx, err := db.beginRead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		args := make([]any, n)
		for i := range args {
			args[i] = int64(i)
		}
		rows, err := tx.query(ctx, `SELECT id FROM services WHERE id IN (`+placeholders(n)+`)`, args...)
		if err != nil {
			t.Fatalf("IN list of %d: %v", n, err)
		}
		rows.Close()
		if err := tx.commit(); err != nil {
			t.Fatal(err)
		}
	}
	s := db.prepared.of(db.read, db.d)
	s.mu.RLock()
	got := len(s.stmts)
	s.mu.RUnlock()
	if got > maxStmts {
		t.Errorf("statement set holds %d texts, want at most %d", got, maxStmts)
	}
	if got < maxStmts {
		t.Errorf("statement set holds %d texts, want it full at %d", got, maxStmts)
	}
	// Every text still runs, prepared or not.
	for _, n := range []int{1, maxStmts / 2, maxStmts + 50} {
		tx, err := db.beginRead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var c int
		args := make([]any, n)
		for i := range args {
			args[i] = int64(i)
		}
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM services WHERE id IN (`+placeholders(n)+`)`, args...).Scan(&c); err != nil {
			t.Fatal(fmt.Errorf("IN list of %d: %w", n, err))
		}
		tx.rollback()
	}
}
