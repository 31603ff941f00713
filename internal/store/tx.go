package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// tx is one unit of work with the instant it happens at, taken once from the
// clock so that every row it writes agrees on the time.
type tx struct {
	sqlTx *sql.Tx
	d     dialect
	now   time.Time

	// stmts are the pool's prepared statements (nil: run every query
	// unprepared); bound are those bound to this transaction, and
	// unprepared the texts it ran that are to be prepared once it ends.
	stmts      *stmtSet
	bound      map[*sql.Stmt]*sql.Stmt
	unprepared []string

	settings settingsMemo
	// auditKey MACs the audit rows the transaction appends.
	auditKey []byte
}

// beginWrite starts a transaction that may change data.
func (db *DB) beginWrite(ctx context.Context) (*tx, error) {
	return db.begin(ctx, db.write, nil)
}

// beginRead starts a transaction that only reads. On SQLite it runs on the
// read pool and sees a consistent snapshot without blocking the writer.
//
// On PostgreSQL it is REPEATABLE READ so that a page and its total, read by
// two statements, come from the same snapshot as they do on SQLite.
func (db *DB) beginRead(ctx context.Context) (*tx, error) {
	if db.d.postgres {
		return db.begin(ctx, db.read, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	}
	return db.begin(ctx, db.read, nil)
}

func (db *DB) begin(ctx context.Context, pool *sql.DB, opts *sql.TxOptions) (*tx, error) {
	t, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &tx{sqlTx: t, d: db.d, now: db.now().UTC().Truncate(time.Microsecond), stmts: db.prepared.of(pool, db.d), auditKey: db.auditKey}, nil
}

// commit commits the transaction.
func (tx *tx) commit() error {
	err := tx.sqlTx.Commit()
	tx.prepareSeen()
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// rollback abandons the transaction; it is deferred by every method and does
// nothing after a commit.
func (tx *tx) rollback() error {
	err := tx.sqlTx.Rollback()
	tx.prepareSeen()
	return err
}

func (tx *tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := tx.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, tx.d.args(args)...)
	}
	return tx.sqlTx.ExecContext(ctx, tx.d.rebind(q), tx.d.args(args)...)
}

func (tx *tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := tx.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, tx.d.args(args)...)
	}
	return tx.sqlTx.QueryContext(ctx, tx.d.rebind(q), tx.d.args(args)...)
}

func (tx *tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := tx.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, tx.d.args(args)...)
	}
	return tx.sqlTx.QueryRowContext(ctx, tx.d.rebind(q), tx.d.args(args)...)
}

// insert runs an INSERT … RETURNING id and returns the new row's ID.
func (tx *tx) insert(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	if err := tx.queryRow(ctx, q+" RETURNING id", args...).Scan(&id); err != nil {
		return 0, err
	}
	return id, nil
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	b := make([]byte, 0, 3*n)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, '?')
	}
	return string(b)
}

// pageLimits applies the default and maximum page size.
func pageLimits(offset, limit int) (int, int) {
	if offset < 0 {
		offset = 0
	}
	if limit <= 0 {
		limit = defaultPageSize
	}
	if limit > maxPageSize {
		limit = maxPageSize
	}
	return offset, limit
}
