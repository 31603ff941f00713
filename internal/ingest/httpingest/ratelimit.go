package httpingest

import (
	"math"
	"sync"
	"time"
)

// limiter is a token bucket per integration: RateLimit events per minute,
// with a burst of ten seconds' worth so that a monitoring system flushing
// a backlog after a network blip is not refused.
type limiter struct {
	mu      sync.Mutex
	buckets map[int64]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// allow takes n tokens for integration id at now. When there are not
// enough it takes none and says how long until there will be.
func (l *limiter) allow(id int64, perMinute, n int, now time.Time) (ok bool, retryAfter time.Duration) {
	if perMinute <= 0 {
		return true, 0
	}
	rate := float64(perMinute) / 60
	burst := math.Max(rate*10, float64(n))
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[int64]*bucket{}
	}
	b := l.buckets[id]
	if b == nil {
		b = &bucket{tokens: burst, last: now}
		l.buckets[id] = b
	}
	b.tokens = math.Min(burst, b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens >= float64(n) {
		b.tokens -= float64(n)
		return true, 0
	}
	wait := time.Duration((float64(n) - b.tokens) / rate * float64(time.Second))
	return false, wait
}
