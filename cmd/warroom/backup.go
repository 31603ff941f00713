package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom/cmd/warroom/app"
	"github.com/warroomhq/warroom/internal/store"
)

func (c *cli) newBackupCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent backup of the database to FILE while the server runs, then verify its audit chain",
		Long: `Back up the database at --database / WARROOM_DATABASE to FILE, which must
not exist. The server may keep running: nothing it acknowledged before the
backup started is missing from it.

SQLite: FILE is a complete SQLite database written with VACUUM INTO from
one snapshot of the database and its WAL (a plain copy of the file misses
what is still in the WAL). Its audit chain is then verified in FILE itself.

PostgreSQL: pg_dump (which must be on PATH, of the server's major version or
newer) writes FILE in its custom format from one snapshot; the audit chain
of the database is verified as well.

The backup does not hold the secret key (WARROOM_SECRET_KEY or the key
file): without it the sealed credentials in the backup cannot be opened nor
its audit chain verified. Keep the key, once, somewhere other than the
backups.`,
		Example: `  warroom backup /var/backups/warroom/warroom-$(date +%F).db`,
		Args:    args("FILE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx, file := cmd.Context(), a[0]
			if _, err := os.Lstat(file); err == nil {
				return fmt.Errorf("backup: %s already exists", file)
			}
			db, err := c.openAuditDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			if db.Engine() == store.EnginePostgres {
				if err := pgTool(ctx, c.stderr, "pg_dump", c.cfg.Database, "--format=custom", "--no-owner", "--file="+file); err != nil {
					os.Remove(file)
					return err
				}
				if err := os.Chmod(file, 0o600); err != nil {
					return err
				}
				return c.reportAudit(ctx, db, "backup written to "+file+"; audit chain of the database")
			}
			if err := db.Backup(ctx, file); err != nil {
				return err
			}
			copied, err := c.openDBWithKeyOf(ctx, file)
			if err != nil {
				return fmt.Errorf("backup written to %s, but it does not open: %w", file, err)
			}
			defer copied.Close()
			return c.reportAudit(ctx, copied, "backup written to "+file+"; audit chain of the backup")
		},
	}
}

func (c *cli) newRestoreCmd() *cobra.Command {
	var replace bool
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "Restore the database from a backup FILE made by 'warroom backup', then verify its audit chain",
		Long: `Restore the database at --database / WARROOM_DATABASE from FILE, written
by 'warroom backup'. Stop every server on the database first. A database
that exists is replaced only with --replace.

SQLite: FILE is copied beside the database, its audit chain verified with
the secret key (WARROOM_SECRET_KEY or --secret-key-file; the default key file
is the database path + ".key", so restore the key file there too), and only
then moved over the database. A database still open in another process is
refused. The database is migrated to this version's schema on the way.

PostgreSQL: pg_restore (on PATH) loads FILE into the database in one
transaction, dropping what is there first with --replace; then the audit
chain is verified.`,
		Example: `  warroom restore /var/backups/warroom/warroom-2026-12-01.db --database /var/lib/warroom/warroom.db --replace`,
		Args:    args("FILE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx, file := cmd.Context(), a[0]
			if _, err := os.Stat(file); err != nil {
				return fmt.Errorf("restore: %w", err)
			}
			if isPostgres(c.cfg.Database) {
				if err := c.restorePostgres(ctx, file, replace); err != nil {
					return err
				}
			} else if err := c.restoreSQLite(ctx, file, replace); err != nil {
				return err
			}
			db, err := c.openAuditDB(ctx)
			if err != nil {
				return fmt.Errorf("restored, but the database does not open: %w", err)
			}
			defer db.Close()
			return c.reportAudit(ctx, db, "restored "+app.Redact(c.cfg.Database)+" from "+file+"; audit chain")
		},
	}
	cmd.Flags().BoolVar(&replace, "replace", false, "replace a database that exists")
	return cmd
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// reportAudit verifies db's audit chain and prints the outcome after what;
// a broken chain fails the command.
func (c *cli) reportAudit(ctx context.Context, db *store.DB, what string) error {
	v, err := db.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if !v.OK {
		fmt.Fprintf(c.stdout, "%s BROKEN at entry %d (%s): %s\n", what, v.FirstBadID, v.Break, v.Message)
		return errAuditBroken{v}
	}
	_, err = fmt.Fprintf(c.stdout, "%s: %s\n", what, v.Message)
	return err
}

// openDBWithKeyOf opens the SQLite file path with the audit key of the
// configured database.
func (c *cli) openDBWithKeyOf(ctx context.Context, path string) (*store.DB, error) {
	key, err := c.cfg.ExistingAuditKey()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, path, store.Options{AuditKey: key})
	if errors.Is(err, store.ErrAuditKeyMismatch) {
		return nil, fmt.Errorf("the secret key (WARROOM_SECRET_KEY or --secret-key-file) is not the one the audit log in %s was MACed with: restore the key that belongs to the backup", path)
	}
	return db, err
}

func (c *cli) restoreSQLite(ctx context.Context, file string, replace bool) error {
	target := c.cfg.Database
	if strings.HasPrefix(target, "file:") {
		return fmt.Errorf("restore: give --database as a plain path, not a file: DSN")
	}
	if _, err := os.Stat(target); err == nil {
		if !replace {
			return fmt.Errorf("restore: %s exists; stop the server and add --replace to replace it", target)
		}
		if err := sqliteUnused(ctx, target); err != nil {
			return err
		}
	}
	// The copy is verified where it will live, on the same file system,
	// so that the final rename is atomic.
	tmp := target + ".restoring"
	os.Remove(tmp)
	if err := copyFile(file, tmp); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	db, err := c.openDBWithKeyOf(ctx, tmp)
	if err != nil {
		removeSQLite(tmp)
		return fmt.Errorf("restore: %s: %w", file, err)
	}
	v, err := db.VerifyAudit(ctx)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err == nil && !v.OK {
		err = fmt.Errorf("the audit chain of %s is broken at entry %d (%s): %s", file, v.FirstBadID, v.Break, v.Message)
	}
	if err != nil {
		removeSQLite(tmp)
		return fmt.Errorf("restore: nothing replaced: %w", err)
	}
	// The WAL of the old database would be replayed into the new one.
	removeSQLite(target)
	if err := os.Rename(tmp, target); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}

// sqliteUnused refuses a SQLite database another process has open: leaving
// WAL mode needs the only connection, so a running server makes it fail.
func sqliteUnused(ctx context.Context, path string) error {
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		return err
	}
	defer raw.Close()
	var mode string
	if err := raw.QueryRowContext(ctx, `PRAGMA journal_mode = DELETE`).Scan(&mode); err != nil || mode != "delete" {
		return fmt.Errorf("restore: %s is in use (is a server running on it? stop it first): %v", path, err)
	}
	return nil
}

// removeSQLite removes a SQLite database with its WAL and shared memory.
func removeSQLite(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		return err
	}
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func (c *cli) restorePostgres(ctx context.Context, file string, replace bool) error {
	raw, err := sql.Open("pgx", c.cfg.Database)
	if err != nil {
		return err
	}
	var tables int
	err = raw.QueryRowContext(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()`).Scan(&tables)
	raw.Close()
	if err != nil {
		return fmt.Errorf("restore: %s: %w", app.Redact(c.cfg.Database), err)
	}
	args := []string{"--no-owner", "--single-transaction", "--exit-on-error"}
	if tables > 0 {
		if !replace {
			return fmt.Errorf("restore: %s holds %d tables; stop every server and add --replace to replace them", app.Redact(c.cfg.Database), tables)
		}
		args = append(args, "--clean", "--if-exists")
	}
	return pgTool(ctx, c.stderr, "pg_restore", c.cfg.Database, append(args, file)...)
}

// pgTool runs pg_dump or pg_restore on the database dsn. The password goes
// through the environment, never the command line, where every local user
// could read it.
func pgTool(ctx context.Context, stderr io.Writer, tool, dsn string, args ...string) error {
	path, err := exec.LookPath(tool)
	if err != nil {
		return fmt.Errorf("%s is not on PATH: install the PostgreSQL client tools of the server's version: %w", tool, err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return fmt.Errorf("--database: %w", err)
	}
	env := os.Environ()
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	cmd := exec.CommandContext(ctx, path, append([]string{"--dbname=" + u.String()}, args...)...)
	cmd.Env = env
	cmd.Stdout = stderr
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", tool, err)
	}
	return nil
}
