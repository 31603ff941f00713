package engine

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/warroomhq/warroom"
)

// Hooks is the module that delivers queued events to webhook
// subscriptions. The store queues a delivery in the transaction of the
// change it describes; this module claims due deliveries with a lease, so
// that several instances never send the same one at once, posts them
// outside any transaction and records each outcome.
type Hooks struct {
	Queue warroom.HookQueue
	// Send posts one delivery signed at now.
	Send   func(ctx context.Context, d *warroom.HookSend, now time.Time) warroom.HookOutcome
	Logger *slog.Logger
	// Lease bounds how long a claimed delivery is held before another
	// instance may try it (a process that died mid-send); it must exceed
	// the client's timeout. Zero means a minute.
	Lease time.Duration
	// Batch is how many deliveries one claim takes; zero means 50.
	Batch int
	// Workers posts that many deliveries at once; zero means 8. One slow
	// endpoint must not hold up every other.
	Workers int
}

// Name implements Module.
func (m *Hooks) Name() string { return "hooks" }

// hookRounds bounds the claims of one tick: each claim takes only the
// head of each incident's queue, so an incident with several new events
// needs a round per event; the bound keeps a tick from running for ever
// while events keep arriving.
const hookRounds = 20

// Tick implements Module.
func (m *Hooks) Tick(ctx context.Context, now time.Time) error {
	lease, batch, workers := m.Lease, m.Batch, m.Workers
	if lease <= 0 {
		lease = time.Minute
	}
	if batch <= 0 {
		batch = 50
	}
	if workers <= 0 {
		workers = 8
	}
	for range hookRounds {
		ds, err := m.Queue.ClaimHookDeliveries(ctx, now, lease, batch)
		if err != nil {
			return err
		}
		if len(ds) == 0 {
			return nil
		}
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			first error
			sem   = make(chan struct{}, workers)
		)
		for _, d := range ds {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				out := m.Send(ctx, d, now)
				if !out.OK() && m.Logger != nil {
					m.Logger.Warn("webhook delivery failed", "delivery", d.ID, "subscription", d.SubscriptionID, "status", out.Status, "attempt", d.Attempts, "err", out.Error)
				}
				// The outcome is recorded at the tick's time so that the
				// back-off is counted from the same clock as the claim.
				if err := m.Queue.CompleteHookDelivery(ctx, d.ID, now, out); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if first != nil {
			return first
		}
	}
	return nil
}
