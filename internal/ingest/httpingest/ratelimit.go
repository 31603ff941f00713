package httpingest

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter is a token bucket per integration (golang.org/x/time/rate, the
// limiter the rest of warroom uses): RateLimit events per minute, with a
// burst of ten seconds' worth so that a monitoring system flushing a
// backlog after a network blip is not refused.
type limiter struct {
	mu      sync.Mutex
	buckets map[int64]*rate.Limiter
}

// allow takes n tokens for integration id at now. When there are not
// enough it takes none and says how long until there will be.
func (l *limiter) allow(id int64, perMinute, n int, now time.Time) (ok bool, retryAfter time.Duration) {
	if perMinute <= 0 {
		return true, 0
	}
	limit := rate.Limit(float64(perMinute) / 60)
	// One request of many events may exceed ten seconds' worth; it passes
	// once the bucket holds all of them, rather than never.
	burst := max(int(float64(limit)*10), n, 1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[int64]*rate.Limiter{}
	}
	b := l.buckets[id]
	if b == nil {
		b = rate.NewLimiter(limit, burst)
		l.buckets[id] = b
	}
	// An integration's limit may have been changed since its bucket was
	// made.
	if b.Limit() != limit {
		b.SetLimitAt(now, limit)
	}
	if b.Burst() < burst {
		b.SetBurstAt(now, burst)
	}
	r := b.ReserveN(now, n)
	if !r.OK() {
		return false, time.Minute
	}
	if wait := r.DelayFrom(now); wait > 0 {
		r.CancelAt(now)
		return false, wait
	}
	return true, 0
}
