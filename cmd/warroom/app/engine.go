package app

import (
	"context"

	"github.com/warroomhq/warroom/internal/engine"
	"github.com/warroomhq/warroom/internal/store"
)

// engineModules lists the background modules in the order each tick runs
// them: monitors raise alerts, routing turns alerts into incidents, and
// whatever pages people runs after routing so that it sees new incidents
// in the same tick.
func (m *Main) engineModules() []engine.Module {
	return []engine.Module{
		&engine.Monitors{Monitors: m.DB, Logger: m.Logger},
		&engine.AlertRouting{Alerts: m.DB, Logger: m.Logger, Wake: func() { m.Engine.Wake() }},
		m.communications(),
		// Reminders are recorded durably and listed at /api/v1/reminders;
		// sending them through the notification channels is not wired yet.
		&engine.Reminders{Reminders: m.DB, Logger: m.Logger},
	}
}

// startEngine runs the engine until Close.
func (m *Main) startEngine() {
	ctx, cancel := context.WithCancel(context.Background())
	m.stopEngine, m.engineDone = cancel, make(chan struct{})
	go func() {
		defer close(m.engineDone)
		m.Engine.Run(ctx)
	}()
}

// stopEngineAndWait stops the engine and waits for its tick to end.
func (m *Main) stopEngineAndWait() {
	if m.stopEngine != nil {
		m.stopEngine()
		<-m.engineDone
		m.stopEngine = nil
	}
}

// ingestWriters is the number of concurrent group commits: SQLite has one
// writer anyway; PostgreSQL overlaps a few commits' round trips and fsyncs.
func ingestWriters(db *store.DB) int {
	if db.Engine() == store.EnginePostgres {
		return 4
	}
	return 1
}
