package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/warroomhq/warroom"
)

// migrations holds the numbered, forward-only schema changes of each engine.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

const (
	defaultPageSize = warroom.DefaultPageSize
	maxPageSize     = warroom.MaxPageSize
)

// migrate applies every pending migration. On PostgreSQL several instances
// may start at once; goose's session locker holds an advisory lock so that
// exactly one of them migrates while the others wait.
func (db *DB) migrate(ctx context.Context) error {
	dir, dial := "migrations/sqlite", goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.d.postgres {
		dir, dial = "migrations/postgres", goose.DialectPostgres
		// Waiting instances poll every second for up to five minutes: the
		// default five-second poll would add seconds to every rolling start.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	fsys, err := fs.Sub(migrations, dir)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// The global registry holds Go migrations registered by init functions;
	// warroom has none and must not pick up anybody else's.
	opts = append(opts, goose.WithDisableGlobalRegistry(true), goose.WithSlog(db.logger))
	p, err := goose.NewProvider(dial, db.write, fsys, opts...)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		db.logger.Info("migrated", "engine", db.Engine(), "version", r.Source.Version, "duration", r.Duration)
	}
	return db.sealAudit(ctx)
}
