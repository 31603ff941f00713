package app

import (
	"context"
	"time"

	"github.com/warroomhq/warroom/internal/engine"
	"github.com/warroomhq/warroom/internal/notify/eventhook"
	"github.com/warroomhq/warroom/internal/store"
)

// engineModules lists the background modules of the main engine in the
// order each tick runs them.
func (m *Main) engineModules() []engine.Module {
	return []engine.Module{
		m.comms,
		// The store queues each reminder in the paging outbox in the
		// transaction that records it, and the pager's delivery module
		// sends it with retries; so Deliver stays unset here (setting it
		// would send every reminder twice).
		&engine.Reminders{Reminders: m.DB, Logger: m.Logger},
		&engine.Retention{Alerts: m.DB, Age: m.retention, Logger: m.Logger},
		// Subscription URLs are chosen by people: the sender dials only
		// where the outbound policy allows.
		&engine.Hooks{Queue: m.DB, Send: eventhook.New(m.outbound.Client(15 * time.Second)).Send, Logger: m.Logger},
	}
}

// alertModules run on the alert engine, which ingest wakes after every
// commit: monitors raise alerts, routing turns alerts into incidents and
// wakes the main engine when one opens, so that paging sees it at once.
func (m *Main) alertModules() []engine.Module {
	return []engine.Module{
		// Drills inject their alerts first, so routing sees them this tick.
		&engine.Drills{Drills: m.DB, Logger: m.Logger},
		&engine.Monitors{Monitors: m.DB, Logger: m.Logger},
		&engine.AlertRouting{Alerts: m.DB, Logger: m.Logger, Wake: func() { m.Engine.Wake() }, Opened: m.incidentsOpened()},
	}
}

// startEngine runs the engines until Close.
func (m *Main) startEngine() {
	ctx, cancel := context.WithCancel(context.Background())
	m.stopEngine, m.engineDone = cancel, make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.alertEngine.Run(ctx)
	}()
	go func() {
		defer close(m.engineDone)
		m.Engine.Run(ctx)
		<-done
	}()
}

// stopEngineAndWait stops the engines and waits for their ticks to end.
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
