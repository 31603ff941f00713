package store

import (
	"context"
	"fmt"
	"time"
)

// eachRow runs f for one claimed row inside a savepoint, so that a row that
// fails (a corrupted policy, a contact method gone from under it) is undone
// alone and the rest of the batch still commits: a batch that failed as a
// whole would fail again on every tick, since its failing row is due first,
// and paging would stop for everyone.
//
// A failure is handed to failed inside the same transaction, after the
// savepoint is rolled back, to be recorded durably; only an error from
// failed itself, or a cancelled context, ends the batch.
func (tx *tx) eachRow(ctx context.Context, f func() error, failed func(error) error) error {
	if _, err := tx.exec(ctx, `SAVEPOINT claimed_row`); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	ferr := f()
	if ferr == nil {
		if _, err := tx.exec(ctx, `RELEASE SAVEPOINT claimed_row`); err != nil {
			return fmt.Errorf("release savepoint: %w", err)
		}
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `ROLLBACK TO SAVEPOINT claimed_row`); err != nil {
		return fmt.Errorf("rollback to savepoint: %w (after %v)", err, ferr)
	}
	if _, err := tx.exec(ctx, `RELEASE SAVEPOINT claimed_row`); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return failed(ferr)
}

// rowRetryCap bounds the back-off of a row that keeps failing: a page is
// never given up on, but a broken row must not be retried in a hot loop.
const rowRetryCap = time.Hour

// rowBackoff doubles from 30 seconds for each failure in a row, up to
// rowRetryCap.
func rowBackoff(failures int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < failures && d < rowRetryCap; i++ {
		d *= 2
	}
	return min(d, rowRetryCap)
}

// lastErrorMax bounds the stored error text.
const lastErrorMax = 1000

func errorText(err error) string {
	s := err.Error()
	if len(s) > lastErrorMax {
		s = s[:lastErrorMax]
	}
	return s
}
