package store

import (
	"context"
	"sync"

	"github.com/warroomhq/warroom"
)

// maxDeclareBatch bounds how many declarations share a transaction, and so
// how long one holds the writer: at about a millisecond each, other writes
// wait a few tens of milliseconds at most.
const maxDeclareBatch = 32

// declareQueue gathers the declarations that arrive while others are being
// written, so that they share one transaction: one commit and one sync of
// the log, one hold of the audit chain's row lock, for all of them. Should
// one of them fail, the shared transaction is rolled back and each is
// written in a transaction of its own, so that one bad declaration fails
// alone. (A savepoint per declaration would do the same in one go, but
// costs SQLite a statement journal written for every one.)
type declareQueue struct {
	mu      sync.Mutex
	pending []*declareReq
	// leaders is how many batches are being written; the declarations
	// arriving meanwhile wait for the next.
	leaders int
}

// declareLeaders is how many batches are written at once. SQLite has one
// writer. On PostgreSQL a second batch does its inserts while the first
// holds the audit chain's lock for its audit rows and commit: 35 % more
// declarations a second on this project's benchmark. More would widen the
// window of event IDs committed out of order past what QueueDueNotices
// looks back over (eventLookback, 500): two batches of 32 declarations
// of about three events each allocate some 200.
func (db *DB) declareLeaders() int {
	if db.d.postgres {
		return 2
	}
	return 1
}

type declareReq struct {
	ctx context.Context
	inc *warroom.Incident
	// orig is inc as the caller gave it, to declare again from should the
	// shared transaction fail.
	orig warroom.Incident
	err  error
	done chan struct{}
}

// declare writes inc with whatever other declarations are waiting, and
// returns once its transaction has committed or failed.
//
// A caller whose context ends while it waits still waits for the batch it
// is in: returning early could report a failure for an incident then
// written. A declaration whose context has ended before its batch starts
// is not written.
func (db *DB) declare(ctx context.Context, inc *warroom.Incident) error {
	r := &declareReq{ctx: ctx, inc: inc, orig: *inc, done: make(chan struct{})}
	q := &db.declares
	q.mu.Lock()
	q.pending = append(q.pending, r)
	lead := q.leaders < db.declareLeaders()
	if lead {
		q.leaders++
	}
	q.mu.Unlock()
	if lead {
		db.runDeclares()
	}
	<-r.done
	return r.err
}

// runDeclares writes one batch of pending declarations, then hands the
// rest to a new leader, so that no caller writes other callers' batches
// for long.
func (db *DB) runDeclares() {
	q := &db.declares
	q.mu.Lock()
	n := min(len(q.pending), maxDeclareBatch)
	batch := append([]*declareReq(nil), q.pending[:n]...)
	q.pending = append(q.pending[:0], q.pending[n:]...)
	q.mu.Unlock()

	db.declareBatch(batch)

	q.mu.Lock()
	more := len(q.pending) > 0
	if !more {
		q.leaders--
	}
	q.mu.Unlock()
	if more {
		go db.runDeclares()
	}
}

// declareBatch writes the declarations of batch and tells each caller how
// its own went.
func (db *DB) declareBatch(batch []*declareReq) {
	defer func() {
		for _, r := range batch {
			close(r.done)
		}
	}()
	var live []*declareReq
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err
		} else {
			live = append(live, r)
		}
	}
	if len(live) > 1 && db.declareTogether(live) {
		return
	}
	for _, r := range live {
		*r.inc = r.orig
		r.err = db.declareAlone(r)
	}
}

// declareTogether writes every declaration of batch in one transaction. It
// reports false, having written nothing, when one of them failed before
// the commit; a failed commit is every caller's error, since it may have
// committed after all.
//
// The transaction outlives any one caller's context; each declaration
// runs with its caller's values (the actor, the source address) but cannot
// be cancelled halfway: on SQLite an interrupted statement rolls back the
// whole transaction.
func (db *DB) declareTogether(batch []*declareReq) bool {
	tx, err := db.beginWrite(context.Background())
	if err != nil {
		return false
	}
	defer tx.rollback()
	audits := make([]map[string]any, len(batch))
	for i, r := range batch {
		if audits[i], err = declareRows(context.WithoutCancel(r.ctx), tx, r.inc); err != nil {
			return false
		}
	}
	for i, r := range batch {
		if err := writeAudit(context.WithoutCancel(r.ctx), tx, warroom.AuditIncidentDeclare, "incident", r.inc.ID, audits[i]); err != nil {
			return false
		}
	}
	err = tx.commit()
	for _, r := range batch {
		r.err = err
	}
	if err == nil {
		db.wakePaging()
	}
	return true
}

// declareAlone writes one declaration in its own transaction.
func (db *DB) declareAlone(r *declareReq) error {
	ctx := context.WithoutCancel(r.ctx)
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := declareIncident(ctx, tx, r.inc); err != nil {
		return err
	}
	if err := tx.commit(); err != nil {
		return err
	}
	db.wakePaging()
	return nil
}
