// Package benchdb gives the load tools databases of their own.
package benchdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"

	_ "github.com/jackc/pgx/v5/stdlib" // the PostgreSQL driver
)

// FreshPostgres creates a new, empty database on the server dsn points at,
// so that every run starts from the same state and nothing of the user's is
// touched, and returns its address and a function that drops it (or, with
// keep, only closes the connection and leaves the database for a later run).
func FreshPostgres(ctx context.Context, dsn, prefix string, keep bool) (string, func(), error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", nil, err
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := prefix + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	drop := func() {
		if !keep {
			_, _ = admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		}
		admin.Close()
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}
