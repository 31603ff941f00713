// Package store is the one SQL implementation of every warroom service, on
// SQLite (an embedded file, the default) and on PostgreSQL (for several
// instances behind a load balancer).
//
// Every exported method runs in one transaction: it takes the time once from
// the injected clock, calls unexported helpers that take that transaction,
// writes the change together with its timeline events and its audit row, and
// commits. Nothing is half-written on error.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	// Both drivers register themselves with database/sql.
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// Options configures a DB.
type Options struct {
	Now    func() time.Time // injected clock; nil means time.Now
	Logger *slog.Logger     // nil means discard
	// Sealer encrypts contact credentials at rest; nil stores them marked
	// plain so that they can be sealed once a key is configured.
	Sealer Sealer
	// Wake is called after a commit that made paging work due now (a
	// declared incident, a manual page), so the engine need not wait for
	// its next tick. nil means nobody is told.
	Wake func()
	// Outbound checks every URL saved for warroom to send to (contact
	// methods, stakeholder chat channels, subscriber webhooks), so that
	// a refused destination is refused when it is entered; nil accepts
	// any http(s) URL. Sending checks again.
	Outbound URLChecker
	// AuditKey MACs the audit log and its checkpoints (secret.DeriveKey
	// with secret.PurposeAudit). nil leaves an unkeyed log unkeyed and
	// refuses to write to a keyed one; the first open with a key MACs
	// the whole log once.
	AuditKey []byte
}

// DB is the store. It is safe for concurrent use.
type DB struct {
	// write takes every mutation. On SQLite it holds a single connection so
	// that writers queue in Go rather than fail with SQLITE_BUSY; on
	// PostgreSQL it is the same pool as read.
	write    *sql.DB
	read     *sql.DB
	d        dialect
	now      func() time.Time
	logger   *slog.Logger
	sealer   Sealer
	wake     func()
	outbound URLChecker
	auditKey []byte

	// dummyHash is verified against when an email is unknown, so that a
	// login costs the same whether or not the account exists.
	dummyOnce sync.Once
	dummyHash string

	// stmts are the hot paths' statements, prepared once.
	stmts stmtCache
	// prepared are the statements of every query the transaction helpers
	// run, prepared once per pool.
	prepared stmtSets
	// declares gathers concurrent declarations into shared transactions.
	declares declareQueue
}

// Open opens (creating if needed) a SQLite file path (or "file:..." DSN) or a
// postgres:// / postgresql:// URL, and runs the embedded migrations.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	db := &DB{now: opts.Now, logger: opts.Logger, sealer: opts.Sealer, wake: opts.Wake, outbound: opts.Outbound, auditKey: opts.AuditKey}
	if db.now == nil {
		db.now = time.Now
	}
	if db.logger == nil {
		db.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		err = db.openPostgres(ctx, dsn)
	} else {
		err = db.openSQLite(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := db.checkSealer(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.keyAudit(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) openPostgres(ctx context.Context, dsn string) error {
	db.d = dialect{postgres: true}
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("open postgres: %w", err)
	}
	pool.SetMaxOpenConns(20)
	pool.SetMaxIdleConns(10)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return fmt.Errorf("open postgres: %w", err)
	}
	db.write, db.read = pool, pool
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return err
	}
	return nil
}

// sqliteURIEscaper escapes the characters that end the path part of a
// SQLite URI filename, which SQLite decodes back.
var sqliteURIEscaper = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

// sqlitePragmas are set on every write connection, each for a reason:
//   - busy_timeout: a reader checkpointing the WAL can briefly hold a lock;
//     wait for it rather than fail.
//   - journal_mode=WAL: readers never block the writer nor the writer them,
//     so pages stay fast while incidents are being worked.
//   - synchronous=FULL: fsync the WAL on every commit, so that a committed
//     transaction survives power loss. A 2xx means durably stored; NORMAL
//     would trade that promise for speed.
//   - foreign_keys=ON: SQLite leaves references unchecked unless asked.
//   - analysis_limit=1000: PRAGMA optimize gathers statistics from a sample
//     per index, so that analyzing a million alerts takes milliseconds.
var sqlitePragmas = []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(ON)", "analysis_limit(1000)"}

// sqliteReadPragmas are set on read connections: query_only makes a write
// through the read pool fail loudly instead of racing the single writer.
var sqliteReadPragmas = []string{"busy_timeout(10000)", "foreign_keys(ON)", "query_only(ON)"}

func (db *DB) openSQLite(ctx context.Context, dsn string) error {
	db.d = dialect{}
	// A plain path is taken literally, '#' and '?' included; only a "file:"
	// DSN carries query parameters.
	path, query := dsn, ""
	if strings.HasPrefix(dsn, "file:") {
		path, query, _ = strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	} else {
		path = sqliteURIEscaper.Replace(path)
	}
	if path == "" {
		return fmt.Errorf("open sqlite: empty path")
	}
	if path == ":memory:" || strings.Contains(query, "mode=memory") {
		// Two pools would see two different databases.
		return fmt.Errorf("open sqlite: in-memory databases are not supported; use a file")
	}
	base, err := url.ParseQuery(query)
	if err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	build := func(pragmas []string, txlock string) string {
		q := url.Values{}
		for k, v := range base {
			q[k] = append([]string(nil), v...)
		}
		for _, p := range pragmas {
			q.Add("_pragma", p)
		}
		if txlock != "" {
			q.Set("_txlock", txlock)
		}
		return "file:" + path + "?" + q.Encode()
	}

	// Transactions on the writer begin IMMEDIATE: taking the write lock up
	// front means a transaction that read first never fails to upgrade.
	w, err := sql.Open("sqlite", build(sqlitePragmas, "immediate"))
	if err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return fmt.Errorf("open sqlite: %w", err)
	}
	db.write = w
	if err := db.migrate(ctx); err != nil {
		w.Close()
		return err
	}
	// SQLite's advice for long-lived connections: on open, analyze the
	// tables whose statistics are missing or stale (0x10000: all tables).
	if _, err := w.ExecContext(ctx, `PRAGMA optimize=0x10002`); err != nil {
		w.Close()
		return fmt.Errorf("open sqlite: optimize: %w", err)
	}
	r, err := sql.Open("sqlite", build(sqliteReadPragmas, ""))
	if err != nil {
		w.Close()
		return fmt.Errorf("open sqlite: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return fmt.Errorf("open sqlite: %w", err)
	}
	db.read = r
	return nil
}

// Close closes the database.
func (db *DB) Close() error {
	db.prepared.close()
	var errs []error
	if db.read != nil && db.read != db.write {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers, for readiness probes.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

// Engine returns "sqlite" or "postgres".
func (db *DB) Engine() string {
	if db.d.postgres {
		return EnginePostgres
	}
	return EngineSQLite
}
