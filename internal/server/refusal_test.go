package server

import (
	"strconv"
	"testing"
	"time"
)

// TestRefusalLimiter: one identity is held to its burst and then to one
// row per refusalEvery, the next row counting what was left out; many
// identities together are held to the global limit.
func TestRefusalLimiter(t *testing.T) {
	l := newRefusalLimiter()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	written := 0
	for range 1000 {
		if ok, _ := l.allow("source:192.0.2.1", t0); ok {
			written++
		}
	}
	if written != refusalBurst {
		t.Errorf("a burst of 1000 wrote %d rows, want %d", written, refusalBurst)
	}
	ok, suppressed := l.allow("source:192.0.2.1", t0.Add(refusalEvery))
	if !ok || suppressed != 1000-refusalBurst {
		t.Errorf("after %s: allowed %v, suppressed %d, want true and %d", refusalEvery, ok, suppressed, 1000-refusalBurst)
	}

	l = newRefusalLimiter()
	written = 0
	for i := range 1000 {
		if ok, _ := l.allow("source:198.51.100."+strconv.Itoa(i), t0); ok {
			written++
		}
	}
	if written != refusalGlobalBurst {
		t.Errorf("1000 addresses at once wrote %d rows, want %d", written, refusalGlobalBurst)
	}
	if _, suppressed := l.allow("source:203.0.113.9", t0.Add(refusalGlobalEvery)); suppressed != 1000-refusalGlobalBurst {
		t.Errorf("the next row reports %d left out, want %d", suppressed, 1000-refusalGlobalBurst)
	}
}

// TestRefusalLimiterBounded: the limiter forgets identities rather than
// grow without end.
func TestRefusalLimiterBounded(t *testing.T) {
	l := newRefusalLimiter()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 * refusalKeys {
		l.allow("source:"+strconv.Itoa(i), t0.Add(time.Duration(i)*time.Hour))
	}
	if n := len(l.keys); n > refusalKeys {
		t.Errorf("%d identities kept, want at most %d", n, refusalKeys)
	}
}

// BenchmarkRefusalLimiter is the cost a refused request pays before any
// write: one identity flooding, and many identities at once.
func BenchmarkRefusalLimiter(b *testing.B) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b.Run("one", func(b *testing.B) {
		l := newRefusalLimiter()
		for i := 0; b.Loop(); i++ {
			l.allow("source:192.0.2.1", t0.Add(time.Duration(i)*time.Microsecond))
		}
	})
	b.Run("many", func(b *testing.B) {
		l := newRefusalLimiter()
		for i := 0; b.Loop(); i++ {
			l.allow("source:"+strconv.Itoa(i%50000), t0.Add(time.Duration(i)*time.Microsecond))
		}
	})
}
