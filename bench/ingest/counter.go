package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the SQLite driver, for reading the run's counts
)

// counter reads the run's database directly for what the API does not
// count cheaply: the routing backlog and how many alerts a service's
// incidents hold. It only reads.
type counter struct {
	db *sql.DB
	pg bool
}

func openCounter(dsn string) (*counter, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err := sql.Open("pgx", dsn)
		return &counter{db: db, pg: true}, err
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "query_only(ON)")
	db, err := sql.Open("sqlite", "file:"+dsn+"?"+q.Encode())
	return &counter{db: db}, err
}

func (c *counter) Close() error { return c.db.Close() }

func (c *counter) query(ctx context.Context, q string, args ...any) (int64, error) {
	if c.pg {
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", fmt.Sprintf("$%d", i), 1)
		}
	}
	var n int64
	err := c.db.QueryRowContext(ctx, q, args...).Scan(&n)
	return n, err
}

// backlog is the number of outbox rows routing has still to work through,
// retries waiting for their back-off included.
func (c *counter) backlog(ctx context.Context) (int64, error) {
	return c.query(ctx, `SELECT COUNT(*) FROM alert_outbox`)
}

// drain waits until routing has worked through the outbox, for at most
// limit, polling every 10 ms, and returns when it found the outbox empty.
func (c *counter) drain(ctx context.Context, limit time.Duration) (time.Time, error) {
	deadline := time.Now().Add(limit)
	for {
		n, err := c.backlog(ctx)
		if err != nil {
			return time.Time{}, err
		}
		if n == 0 {
			return time.Now(), nil
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("%d outbox rows still unrouted after %s", n, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// serviceCounts returns a service's alerts, those attached to an incident,
// those whose routing failed at least once, and its incidents.
func (c *counter) serviceCounts(ctx context.Context, serviceID int64) (alerts, attached, failed, incidents int64, err error) {
	if alerts, err = c.query(ctx, `SELECT COUNT(*) FROM alerts WHERE service_id = ?`, serviceID); err != nil {
		return
	}
	if attached, err = c.query(ctx, `SELECT COUNT(*) FROM alerts WHERE service_id = ? AND incident_id IS NOT NULL`, serviceID); err != nil {
		return
	}
	if failed, err = c.query(ctx, `SELECT COUNT(*) FROM alerts WHERE service_id = ? AND routing_failures > 0`, serviceID); err != nil {
		return
	}
	incidents, err = c.query(ctx, `SELECT COUNT(DISTINCT incident_id) FROM alerts WHERE service_id = ? AND incident_id IS NOT NULL`, serviceID)
	return
}

// incidentIDs lists the incidents a service's alerts opened or joined.
func (c *counter) incidentIDs(ctx context.Context, serviceID int64) ([]int64, error) {
	q := `SELECT DISTINCT incident_id FROM alerts WHERE service_id = ? AND incident_id IS NOT NULL`
	if c.pg {
		q = strings.Replace(q, "?", "$1", 1)
	}
	rows, err := c.db.QueryContext(ctx, q, serviceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
