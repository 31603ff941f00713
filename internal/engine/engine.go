// Package engine runs warroom's background work: escalation steps, SLA
// timers, heartbeat expiry, outbox delivery. Every timer it serves is a
// column in the database, so the engine itself holds no state worth losing:
// a restart, or a second instance, picks up exactly where the last tick
// left off.
package engine

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// Module is one kind of background work. Tick does whatever is due at now
// and returns; it must claim rows so that two instances never do the same
// work twice (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, the single
// writer on SQLite).
type Module interface {
	Name() string
	Tick(ctx context.Context, now time.Time) error
}

// Options configures an Engine.
type Options struct {
	// Interval between ticks when nothing wakes the engine earlier.
	Interval time.Duration
	// Deadline bounds one module's tick so that a stuck module cannot stall
	// the others.
	Deadline time.Duration
	Now      func() time.Time
	Logger   *slog.Logger
	// Observe, if set, is told every module tick's duration and error,
	// for metrics.
	Observe func(module string, d time.Duration, err error)
}

// Engine runs its modules in order on every tick.
type Engine struct {
	modules []Module
	opts    Options
	wake    chan struct{}

	mu    sync.Mutex
	stats map[string]ModuleStats
}

// ModuleStats describe a module's last tick, for /readyz and debugging.
type ModuleStats struct {
	LastTick  time.Time
	LastError string
	Ticks     int64
	Failures  int64
}

// New returns an engine for the modules. Zero options take defaults: a
// one-second interval, a 30-second deadline, the wall clock.
func New(opts Options, modules ...Module) *Engine {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.Deadline <= 0 {
		opts.Deadline = 30 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Engine{modules: modules, opts: opts, wake: make(chan struct{}, 1), stats: map[string]ModuleStats{}}
}

// Wake asks for a tick as soon as possible. Producers call it after they
// commit work that should not wait for the next interval (a new alert, a
// new incident), which is what keeps dispatch latency low. It never blocks.
func (e *Engine) Wake() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// Run ticks until ctx is cancelled. The first tick runs at once, so that a
// step that fell due while the process was down fires at start-up.
func (e *Engine) Run(ctx context.Context) {
	t := time.NewTicker(e.opts.Interval)
	defer t.Stop()
	for {
		e.Tick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-e.wake:
		}
	}
}

// Tick runs every module once with the same now. Tests call it directly
// after moving their clock.
func (e *Engine) Tick(ctx context.Context) {
	now := e.opts.Now()
	for _, m := range e.modules {
		if ctx.Err() != nil {
			return
		}
		start := time.Now()
		err := e.tickModule(ctx, m, now)
		if e.opts.Observe != nil {
			e.opts.Observe(m.Name(), time.Since(start), err)
		}
		e.record(m.Name(), now, err)
		if err != nil {
			e.opts.Logger.Error("engine module failed", "module", m.Name(), "err", err)
		}
	}
}

// tickModule isolates a module: its own deadline, and a panic becomes an
// error instead of killing the process that also serves the API.
func (e *Engine) tickModule(ctx context.Context, m Module, now time.Time) (err error) {
	ctx, cancel := context.WithTimeout(ctx, e.opts.Deadline)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return m.Tick(ctx, now)
}

func (e *Engine) record(name string, now time.Time, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.stats[name]
	s.LastTick = now
	s.Ticks++
	s.LastError = ""
	if err != nil {
		s.Failures++
		s.LastError = err.Error()
	}
	e.stats[name] = s
}

// Stats returns a copy of every module's statistics.
func (e *Engine) Stats() map[string]ModuleStats {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]ModuleStats, len(e.stats))
	for k, v := range e.stats {
		out[k] = v
	}
	return out
}
