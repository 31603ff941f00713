package store

import (
	"context"
	"fmt"
	"time"

	"github.com/warroomhq/warroom"
)

// SeedIncidents inserts n incidents spread over states, severities and two
// services in one transaction, for benchmarks that need a large table
// without paying a durable commit per row.
func SeedIncidents(ctx context.Context, db *DB, n int) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.rollback()
	var svc [2]int64
	for i := range svc {
		if svc[i], err = tx.insert(ctx, `INSERT INTO services (name, tier, created_at, updated_at) VALUES (?, 1, ?, ?)`,
			fmt.Sprintf("seed-%d", i), tx.now, tx.now); err != nil {
			return err
		}
	}
	for i := 0; i < n; i++ {
		detected := tx.now.Add(-time.Duration(i) * time.Minute)
		sev := warroom.Severities[i%len(warroom.Severities)]
		state := warroom.States[i%len(warroom.States)]
		id, err := tx.insert(ctx, `INSERT INTO incidents (title, summary, type, state, severity, proposed_severity, severity_reason, detected_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?)`,
			fmt.Sprintf("Incident %d", i), "seeded", string(warroom.TypeSystemCrash), string(state), string(sev), string(sev), detected, tx.now, tx.now)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO incident_services (incident_id, service_id) VALUES (?, ?)`, id, svc[i%2]); err != nil {
			return err
		}
	}
	return tx.commit()
}
