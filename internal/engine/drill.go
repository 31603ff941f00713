package engine

import (
	"context"
	"log/slog"
	"time"

	"github.com/warroomhq/warroom"
)

// Drills is the module that plays game days: it starts the drill runs due
// and injects their steps when their moment comes. It runs on the alert
// engine just before routing, so that an injected alert is routed in the
// same tick, as a real one would be right after ingest.
type Drills struct {
	Drills warroom.DrillService
	// Batch bounds the runs started and steps injected per tick; 0 means 100.
	Batch  int
	Logger *slog.Logger
}

// Name implements Module.
func (m *Drills) Name() string { return "drills" }

// Tick fires what is due at now.
func (m *Drills) Tick(ctx context.Context, now time.Time) error {
	batch := m.Batch
	if batch <= 0 {
		batch = 100
	}
	n, err := m.Drills.FireDrills(ctx, now, batch)
	if err == nil && n > 0 && m.Logger != nil {
		m.Logger.Info("drill steps fired", "count", n)
	}
	return err
}
