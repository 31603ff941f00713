package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// Bounds of a pool's statement set. Queries built with IN lists of any
// length make many texts; an unbounded set would grow with every new
// length, and a very long text is rarely run twice.
const (
	maxStmts    = 512
	maxStmtText = 4096
)

// stmtSet holds, per pool, every query text the transaction helpers have
// run, prepared once: parsing a statement costs more than running it on
// the hot paths (SQLite spent 38 % of a declaration in sqlite3_prepare_v2).
//
// A text is prepared on the pool outside any transaction, the first time a
// transaction that ran it ends: SQLite's write pool has one connection,
// which the open transaction holds. From then on Tx.StmtContext binds the
// statement to each transaction, reusing the driver statement already
// prepared on that connection, or preparing it there once and keeping it.
type stmtSet struct {
	pool *sql.DB
	d    dialect
	mu   sync.RWMutex
	// stmts maps a query text as written to its statement, or to nil when it
	// could not be prepared outside a transaction: it then always runs
	// unprepared and is not tried again.
	stmts map[string]*sql.Stmt

	// hits and misses count executions through a prepared statement and
	// without one, for tests and benchmarks.
	hits, misses atomic.Int64
}

// stmtSets are the statement sets of a DB's pools.
type stmtSets struct {
	mu   sync.Mutex
	off  bool
	sets map[*sql.DB]*stmtSet
}

// of returns the statement set of pool, or nil when statements are not
// cached.
//
// On PostgreSQL they are not: pgx already keeps a statement cache per
// connection, and one that it invalidates when a migration changes a
// table under it. Preparing here as well measured 3 % faster on a
// declaration (8.9 against 9.2 ms), within the noise, for a second cache
// that would not be invalidated.
func (ss *stmtSets) of(pool *sql.DB, d dialect) *stmtSet {
	if d.postgres {
		return nil
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.off {
		return nil
	}
	s, ok := ss.sets[pool]
	if !ok {
		if ss.sets == nil {
			ss.sets = map[*sql.DB]*stmtSet{}
		}
		s = &stmtSet{pool: pool, d: d, stmts: map[string]*sql.Stmt{}}
		ss.sets[pool] = s
	}
	return s
}

// close closes the statements of every set.
func (ss *stmtSets) close() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for _, s := range ss.sets {
		s.close()
	}
}

// lookup returns the prepared statement of q and whether q is known.
func (s *stmtSet) lookup(q string) (*sql.Stmt, bool) {
	s.mu.RLock()
	st, ok := s.stmts[q]
	s.mu.RUnlock()
	return st, ok
}

// prepare prepares each text not yet known. It must be called outside any
// transaction on the pool.
func (s *stmtSet) prepare(qs []string) {
	for _, q := range qs {
		if _, ok := s.lookup(q); ok {
			continue
		}
		// A failed prepare (a statement the engine will not prepare, or a
		// cancelled caller) leaves the text to run unprepared; the
		// transaction that ran it has already succeeded.
		st, err := s.pool.PrepareContext(context.Background(), s.d.rebind(q))
		if err != nil {
			st = nil
		}
		s.mu.Lock()
		if _, ok := s.stmts[q]; ok {
			s.mu.Unlock()
			if st != nil {
				st.Close()
			}
			continue
		}
		if len(s.stmts) >= maxStmts {
			// Evict an arbitrary entry: a hot text evicted comes back
			// after its next run. Closing a statement that a transaction
			// still uses is safe; database/sql closes it after them.
			for k, old := range s.stmts {
				delete(s.stmts, k)
				if old != nil {
					old.Close()
				}
				break
			}
		}
		s.stmts[q] = st
		s.mu.Unlock()
	}
}

// close closes every statement of the set.
func (s *stmtSet) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, st := range s.stmts {
		if st != nil {
			st.Close()
		}
		delete(s.stmts, k)
	}
}

// stmt returns q's statement bound to the transaction, or nil to run q
// unprepared; a text seen for the first time is noted to be prepared once
// the transaction ends.
func (tx *tx) stmt(ctx context.Context, q string) *sql.Stmt {
	if tx.stmts == nil || len(q) > maxStmtText {
		return nil
	}
	st, ok := tx.stmts.lookup(q)
	if !ok {
		tx.stmts.misses.Add(1)
		tx.unprepared = append(tx.unprepared, q)
		return nil
	}
	if st == nil {
		tx.stmts.misses.Add(1)
		return nil
	}
	tx.stmts.hits.Add(1)
	// A transaction that runs one statement several times (an event per
	// SOP template) binds it once.
	if b, ok := tx.bound[st]; ok {
		return b
	}
	b := tx.sqlTx.StmtContext(ctx, st)
	if tx.bound == nil {
		tx.bound = make(map[*sql.Stmt]*sql.Stmt, 16)
	}
	tx.bound[st] = b
	return b
}

// prepareSeen prepares the texts the ended transaction ran unprepared.
func (tx *tx) prepareSeen() {
	if len(tx.unprepared) == 0 {
		return
	}
	qs := tx.unprepared
	tx.unprepared = nil
	tx.stmts.prepare(qs)
}
