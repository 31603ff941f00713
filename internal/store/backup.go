package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"

	"github.com/warroomhq/warroom"
)

// Backup writes a consistent copy of a SQLite database to path, which must
// not exist yet, while the server keeps serving. It runs VACUUM INTO on a
// read connection: in WAL mode a reader sees one snapshot of the file plus
// its WAL and never blocks the writer, so every transaction committed
// before the backup started is in the copy, and ingest does not wait for
// it. A plain copy of the file would miss what is still in the WAL. The
// copy is synced to disk before Backup returns.
//
// PostgreSQL databases are backed up with pg_dump instead; Backup returns
// EINVALID for them.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.d.postgres {
		return warroom.Errorf(warroom.EINVALID, "backup: a PostgreSQL database is backed up with pg_dump")
	}
	// VACUUM INTO accepts an empty file: creating it first makes it
	// readable by the owner alone (it holds sealed credentials and password
	// hashes) and refuses to overwrite anything.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return warroom.Errorf(warroom.EINVALID, "backup: %s already exists", path)
	} else if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	if err := db.vacuumInto(ctx, path); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return f.Close()
}

func (db *DB) vacuumInto(ctx context.Context, path string) error {
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer conn.Close()
	// query_only guards the read pool against writes; VACUUM INTO writes
	// only the new file, but SQLite counts it as a write all the same.
	if _, err := conn.ExecContext(ctx, `PRAGMA query_only = OFF`); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	_, err = conn.ExecContext(ctx, `VACUUM INTO ?`, path)
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA query_only = ON`); rerr != nil {
		// A connection that may write must not go back to the pool.
		conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
