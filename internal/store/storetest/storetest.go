// Package storetest opens real, empty, migrated stores for tests on every
// configured engine: a temporary SQLite file always, and a fresh PostgreSQL
// database when WARROOM_TEST_POSTGRES_URL names a server.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
)

// PostgresEnv names the variable holding the URL of a PostgreSQL server
// tests may create databases on.
const PostgresEnv = "WARROOM_TEST_POSTGRES_URL"

// Engines returns "sqlite" always and "postgres" when WARROOM_TEST_POSTGRES_URL is set.
func Engines() []string {
	if os.Getenv(PostgresEnv) != "" {
		return []string{store.EngineSQLite, store.EnginePostgres}
	}
	return []string{store.EngineSQLite}
}

// Run runs f as a subtest per engine: t.Run(engine, ...).
func Run(t *testing.T, f func(t *testing.T, engine string)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(e, func(t *testing.T) { f(t, e) })
	}
}

// Open returns a fresh, migrated, empty *store.DB on the engine (a temp SQLite
// file, or a new uniquely named PostgreSQL database created from
// WARROOM_TEST_POSTGRES_URL and dropped at cleanup). It fails the test if
// PostgreSQL is configured but unreachable. now may be nil.
func Open(tb testing.TB, engine string, now func() time.Time) *store.DB {
	tb.Helper()
	dsn := DSN(tb, engine)
	db, err := store.Open(context.Background(), dsn, store.Options{Now: now})
	if err != nil {
		tb.Fatalf("open %s store: %v", engine, err)
	}
	// Registered after DSN's cleanup, so it runs first: close, then drop.
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close %s store: %v", engine, err)
		}
	})
	return db
}

// DSN returns the address of a new, empty database on the engine, removed
// at cleanup. store.Open on it migrates it; opening it twice reopens the
// same data, which is how durability is tested.
func DSN(tb testing.TB, engine string) string {
	tb.Helper()
	switch engine {
	case store.EngineSQLite:
		return filepath.Join(tb.TempDir(), "warroom.db")
	case store.EnginePostgres:
		return postgresDSN(tb)
	}
	tb.Fatalf("unknown engine %q", engine)
	return ""
}

func postgresDSN(tb testing.TB) string {
	tb.Helper()
	raw := os.Getenv(PostgresEnv)
	if raw == "" {
		tb.Fatalf("%s is not set", PostgresEnv)
	}
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatalf("%s: %v", PostgresEnv, err)
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", raw)
	if err != nil {
		tb.Fatalf("open %s: %v", PostgresEnv, err)
	}
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		tb.Fatalf("PostgreSQL at %s is unreachable: %v", PostgresEnv, err)
	}
	b := make([]byte, 8)
	rand.Read(b)
	name := "warroom_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		tb.Fatalf("create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// User creates an active user of the given role and returns it with a
// context carrying it (warroom.NewContextWithUser) and an API token secret.
func User(tb testing.TB, db *store.DB, role warroom.UserRole) (*warroom.User, context.Context, string) {
	tb.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	id := hex.EncodeToString(b)
	u := &warroom.User{Name: string(role) + " " + id, Email: string(role) + "-" + id + "@example.com", Role: role}
	ctx := context.Background()
	if err := db.CreateUser(ctx, u); err != nil {
		tb.Fatalf("create %s user: %v", role, err)
	}
	_, secret, err := db.CreateToken(ctx, u.ID, "test", nil)
	if err != nil {
		tb.Fatalf("create token: %v", err)
	}
	return u, warroom.NewContextWithUser(ctx, u), secret
}
