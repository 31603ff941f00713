package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/server"
)

// Refusals are recorded at most refusalEvery per identity (the user, or
// the source address before one is known), with a burst of refusalBurst,
// and at most refusalGlobalEvery across everyone, so that a flood of 401s
// from one or many addresses adds a bounded number of rows a day (the
// global rate: 86,400 a day at most) however fast it comes.
const (
	refusalEvery       = 10 * time.Second
	refusalBurst       = 10
	refusalGlobalEvery = time.Second
	refusalGlobalBurst = 100
	// refusalKeys bounds the memory of the limiter; past it, idle
	// identities are forgotten.
	refusalKeys = 10000
)

// refusalLimiter decides which refusals are written and counts those it
// leaves out, so that the next row of the same identity says how many.
type refusalLimiter struct {
	mu     sync.Mutex
	global *rate.Limiter
	keys   map[string]*refusalKey
	// dropped counts refusals left out by the global limit, reported on
	// the next row written.
	dropped int
}

type refusalKey struct {
	lim        *rate.Limiter
	suppressed int
}

func newRefusalLimiter() *refusalLimiter {
	return &refusalLimiter{global: rate.NewLimiter(rate.Every(refusalGlobalEvery), refusalGlobalBurst), keys: map[string]*refusalKey{}}
}

// allow reports whether a refusal of key at now is written, and how many
// were left out before it.
func (l *refusalLimiter) allow(key string, now time.Time) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := l.keys[key]
	if k == nil {
		if len(l.keys) >= refusalKeys {
			l.forget(now)
		}
		k = &refusalKey{lim: rate.NewLimiter(rate.Every(refusalEvery), refusalBurst)}
		l.keys[key] = k
	}
	if !k.lim.AllowN(now, 1) {
		k.suppressed++
		return false, 0
	}
	if !l.global.AllowN(now, 1) {
		k.suppressed++
		l.dropped++
		return false, 0
	}
	n := k.suppressed + l.dropped
	k.suppressed, l.dropped = 0, 0
	return true, n
}

// forget drops the identities whose limiter has refilled, which have
// nothing to report; if every one is busy, it drops them all rather than
// grow.
func (l *refusalLimiter) forget(now time.Time) {
	for key, k := range l.keys {
		if k.suppressed == 0 && k.lim.TokensAt(now) >= refusalBurst {
			delete(l.keys, key)
		}
	}
	if len(l.keys) >= refusalKeys {
		clear(l.keys)
	}
}

// refusal reports whether err is a refusal to audit: 401, 403, and the 409
// of the two-person rule.
func refusal(err error) bool {
	switch warroom.ErrorCode(err) {
	case warroom.EUNAUTHORIZED, warroom.EFORBIDDEN:
		return true
	case warroom.ECONFLICT:
		return errors.Is(err, warroom.ErrTwoPersonRule)
	}
	return false
}

// recordRefusal writes the audit row of a refused request, in its own
// transaction, within the rate limit. It is written even when the caller
// has hung up, so that hanging up cannot keep an attempt out of the log.
func (h *handler) recordRefusal(r *http.Request, err error) {
	if h.Refusals == nil || h.limiter == nil || !refusal(err) {
		return
	}
	ctx := context.WithoutCancel(r.Context())
	key := "source:" + warroom.SourceFromContext(ctx)
	if id := warroom.UserIDFromContext(ctx); id != 0 {
		key = "user:" + strconv.FormatInt(id, 10)
	}
	ok, suppressed := h.limiter.allow(key, time.Now())
	if !ok {
		return
	}
	_, pattern, _ := strings.Cut(r.Pattern, " ")
	rec := warroom.Refusal{Method: r.Method, Route: pattern, Path: r.URL.Path, Status: server.StatusFor(warroom.ErrorCode(err)), Code: warroom.ErrorCode(err), Reason: warroom.ErrorMessage(err), Suppressed: suppressed}
	if rerr := h.Refusals.RecordRefusal(ctx, rec); rerr != nil {
		h.Logger.Error("api: recording a refusal", "err", rerr, "route", r.Pattern)
	}
}
