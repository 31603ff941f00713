package engine

import (
	"context"
	"log/slog"
	"time"

	"github.com/warroomhq/warroom"
)

// AlertRouting is the module that works through the alert outbox after
// ingest commits: routing rules, grouping, maintenance, opening and
// mitigating incidents. Ingest wakes the engine when it stores something
// new, so routing normally runs within milliseconds of the commit.
type AlertRouting struct {
	Alerts warroom.AlertService
	// Batch is the outbox entries routed per transaction; 0 means 500.
	Batch int
	// Opened, if set, is called with the incidents each pass opened, after
	// commit: the hook for whoever pages people (they also find the
	// alert_opened timeline event).
	Opened func(ids []int64)
	// Wake, if set, asks the engine for another tick as soon as an
	// incident opened, so that modules running after this one (paging)
	// see it without waiting for the interval.
	Wake   func()
	Logger *slog.Logger
}

// Name implements Module.
func (m *AlertRouting) Name() string { return "alert-routing" }

// Tick routes until the outbox is empty or the deadline is near.
func (m *AlertRouting) Tick(ctx context.Context, now time.Time) error {
	batch := m.Batch
	if batch <= 0 {
		batch = 500
	}
	for ctx.Err() == nil {
		rep, err := m.Alerts.RouteAlerts(ctx, now, batch)
		if err != nil {
			return err
		}
		if len(rep.Opened) > 0 {
			if m.Logger != nil {
				m.Logger.Info("incidents opened by alerts", "incidents", rep.Opened)
			}
			if m.Opened != nil {
				m.Opened(rep.Opened)
			}
			if m.Wake != nil {
				m.Wake()
			}
		}
		// A pass that stopped early committed the incidents it opened so
		// that they are paged for while the rest of the storm is routed.
		if rep.Routed < batch && !rep.More {
			return nil
		}
	}
	return ctx.Err()
}

// Monitors is the module that raises alerts for heartbeats past due and
// flow windows that closed short. It runs before AlertRouting in the same
// tick so that the alerts it raises are routed at once.
type Monitors struct {
	Monitors warroom.MonitorService
	Logger   *slog.Logger
}

// Name implements Module.
func (m *Monitors) Name() string { return "monitors" }

// Tick implements Module.
func (m *Monitors) Tick(ctx context.Context, now time.Time) error {
	rep, err := m.Monitors.CheckMonitors(ctx, now)
	if err == nil && (rep.Down > 0 || rep.Up > 0) && m.Logger != nil {
		m.Logger.Info("monitors changed", "down", rep.Down, "up", rep.Up)
	}
	return err
}
