package engine

import (
	"context"
	"log/slog"
	"time"

	"github.com/warroomhq/warroom"
)

// Retention is the module that deletes resolved alerts older than Age that
// joined no incident, and keeps the planner's statistics fresh hourly. It sweeps at most once per Every, in batches that
// each commit on their own, and stops for the tick once a batch comes back
// short or the tick's Budget is spent, so that a year's backlog on first
// start is worked off over many ticks without holding the writer.
type Retention struct {
	Alerts warroom.RetentionService
	// Age is how long resolved alerts are kept; 0 keeps them forever.
	Age time.Duration
	// Every is the time between sweeps; 0 means a minute.
	Every time.Duration
	// Batch is the alerts per transaction; 0 means 1000.
	Batch int
	// Budget bounds one sweep's time; 0 means 200 ms, which still deletes
	// thousands of alerts a minute.
	Budget time.Duration
	Logger *slog.Logger

	last, optimized time.Time
}

// optimizeEvery is how often the planner's statistics are refreshed.
const optimizeEvery = time.Hour

// Name implements Module.
func (m *Retention) Name() string { return "retention" }

// Tick implements Module.
func (m *Retention) Tick(ctx context.Context, now time.Time) error {
	every, batch, budget := m.Every, m.Batch, m.Budget
	if every <= 0 {
		every = time.Minute
	}
	if batch <= 0 {
		batch = 1000
	}
	if budget <= 0 {
		budget = 200 * time.Millisecond
	}
	if m.optimized.IsZero() {
		// The store analyzed on open.
		m.optimized = now
	} else if now.Sub(m.optimized) >= optimizeEvery {
		m.optimized = now
		if err := m.Alerts.Optimize(ctx); err != nil {
			return err
		}
	}
	if m.Age <= 0 || (!m.last.IsZero() && now.Sub(m.last) < every) {
		return nil
	}
	m.last = now
	cutoff := now.Add(-m.Age)
	start, total := time.Now(), 0
	for ctx.Err() == nil && time.Since(start) < budget {
		n, err := m.Alerts.PurgeAlerts(ctx, cutoff, batch)
		total += n
		if err != nil {
			return err
		}
		if n < batch {
			break
		}
	}
	if total > 0 && m.Logger != nil {
		m.Logger.Info("retention deleted resolved alerts", "alerts", total, "resolved_before", cutoff)
	}
	return nil
}
