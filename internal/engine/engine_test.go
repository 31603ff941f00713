package engine_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warroomhq/warroom/internal/engine"
)

type funcModule struct {
	name string
	tick func(ctx context.Context, now time.Time) error
}

func (m funcModule) Name() string                                  { return m.name }
func (m funcModule) Tick(ctx context.Context, now time.Time) error { return m.tick(ctx, now) }

func TestTick_SameNowForEveryModule(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var seen []time.Time
	rec := func(_ context.Context, n time.Time) error { seen = append(seen, n); return nil }
	e := engine.New(engine.Options{Now: func() time.Time { return now }},
		funcModule{"a", rec}, funcModule{"b", rec})
	e.Tick(context.Background())
	if len(seen) != 2 || !seen[0].Equal(now) || !seen[1].Equal(now) {
		t.Fatalf("got %v, want two ticks at %v", seen, now)
	}
}

func TestTick_PanicAndErrorAreIsolated(t *testing.T) {
	var ran atomic.Int32
	e := engine.New(engine.Options{},
		funcModule{"panics", func(context.Context, time.Time) error { panic("boom") }},
		funcModule{"fails", func(context.Context, time.Time) error { return errors.New("db down") }},
		funcModule{"works", func(context.Context, time.Time) error { ran.Add(1); return nil }},
	)
	e.Tick(context.Background())
	if ran.Load() != 1 {
		t.Fatal("a module after a panicking one did not run")
	}
	st := e.Stats()
	if st["panics"].Failures != 1 || st["fails"].LastError != "db down" || st["works"].Failures != 0 {
		t.Fatalf("stats: %+v", st)
	}
}

func TestTick_Deadline(t *testing.T) {
	e := engine.New(engine.Options{Deadline: 10 * time.Millisecond},
		funcModule{"slow", func(ctx context.Context, _ time.Time) error { <-ctx.Done(); return ctx.Err() }})
	e.Tick(context.Background())
	if got := e.Stats()["slow"].LastError; got != context.DeadlineExceeded.Error() {
		t.Fatalf("got %q, want the deadline error", got)
	}
}

func TestRun_WakeTicksBeforeInterval(t *testing.T) {
	ticks := make(chan struct{}, 10)
	e := engine.New(engine.Options{Interval: time.Hour},
		funcModule{"m", func(context.Context, time.Time) error { ticks <- struct{}{}; return nil }})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go e.Run(ctx)
	<-ticks // the tick at start-up
	e.Wake()
	select {
	case <-ticks:
	case <-time.After(5 * time.Second):
		t.Fatal("Wake did not cause a tick")
	}
}
