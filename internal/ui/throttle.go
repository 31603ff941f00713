package ui

import (
	"sync"
	"time"
)

// Login throttling per client address, in front of the per-account
// lockout in the store: the lockout stops guessing one account's password,
// this stops one address from spraying many accounts. It is per instance
// and in memory: losing it on restart costs an attacker's minute, not the
// protection, which the lockout keeps durably.
const (
	loginAttempts = 10
	loginWindow   = time.Minute
	// maxTracked bounds the memory an address-spraying attacker can take.
	maxTracked = 10000
)

type throttle struct {
	mu    sync.Mutex
	now   func() time.Time
	slots map[string]*slot
}

type slot struct {
	start time.Time
	n     int
}

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, slots: map[string]*slot{}}
}

// allow counts an attempt from addr and reports whether it is within the
// limit.
func (t *throttle) allow(addr string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	s := t.slots[addr]
	if s == nil || now.Sub(s.start) >= loginWindow {
		if len(t.slots) >= maxTracked {
			for k, v := range t.slots {
				if now.Sub(v.start) >= loginWindow {
					delete(t.slots, k)
				}
			}
			if len(t.slots) >= maxTracked {
				return false
			}
		}
		s = &slot{start: now}
		t.slots[addr] = s
	}
	s.n++
	return s.n <= loginAttempts
}
