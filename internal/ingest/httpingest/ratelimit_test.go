package httpingest

import (
	"testing"
	"time"
)

// TestLimiter spends a bucket of 60 events a minute (burst 10), waits for
// it to refill, and changes the integration's limit.
func TestLimiter(t *testing.T) {
	var l limiter
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	if ok, _ := l.allow(1, 0, 1000, now); !ok {
		t.Fatal("no limit refused")
	}
	for i := range 10 {
		if ok, _ := l.allow(1, 60, 1, now); !ok {
			t.Fatalf("event %d of the burst refused", i+1)
		}
	}
	ok, wait := l.allow(1, 60, 1, now)
	if ok || wait <= 0 || wait > time.Second {
		t.Fatalf("11th event: ok %v, retry after %v; want refused for at most 1s", ok, wait)
	}
	if ok, _ := l.allow(1, 60, 1, now.Add(wait)); !ok {
		t.Error("refused after the Retry-After it was given")
	}
	if ok, _ := l.allow(2, 60, 25, now); !ok {
		t.Error("a first request of 25 events, more than the burst, refused")
	}
	// A higher limit takes effect on the existing bucket: the wait is
	// counted at the new rate, 100 events a second.
	if ok, wait := l.allow(1, 6000, 5, now.Add(wait)); ok || wait > 60*time.Millisecond {
		t.Errorf("after the limit was raised: ok %v, retry after %v; want refused for at most 60ms", ok, wait)
	}
}
