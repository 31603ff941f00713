package store

import (
	"context"

	"github.com/warroomhq/warroom"
)

var _ warroom.RefusalRecorder = (*DB)(nil)

// RecordRefusal appends the audit row of a refused request, attributed to
// the user (if any) and source address in ctx.
func (db *DB) RecordRefusal(ctx context.Context, r warroom.Refusal) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	if err := writeAuditTarget(ctx, tx, warroom.AuditAccessRefused, "route", r.Method+" "+r.Route, r); err != nil {
		return err
	}
	return tx.commit()
}
