package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/warroomhq/warroom"
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

// IsRefusal reports whether err is a refusal to audit: 401, 403, and the
// 409 of the two-person rule.
func IsRefusal(err error) bool {
	switch warroom.ErrorCode(err) {
	case warroom.EUNAUTHORIZED, warroom.EFORBIDDEN:
		return true
	case warroom.ECONFLICT:
		return errors.Is(err, warroom.ErrTwoPersonRule)
	}
	return false
}

// Refusals writes refused requests to the audit log, within the rate
// limit, for the API and the UI alike.
type Refusals struct {
	rec     warroom.RefusalRecorder
	limiter *refusalLimiter
	logger  *slog.Logger
}

// NewRefusals returns a Refusals writing to rec; a nil rec records nothing.
func NewRefusals(rec warroom.RefusalRecorder, logger *slog.Logger) *Refusals {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Refusals{rec: rec, limiter: newRefusalLimiter(), logger: logger}
}

// RecordError records r as refused by err, if err is a refusal.
func (f *Refusals) RecordError(r *http.Request, err error) {
	if IsRefusal(err) {
		f.Record(r, StatusFor(warroom.ErrorCode(err)), warroom.ErrorCode(err), warroom.ErrorMessage(err))
	}
}

// Record writes the audit row of a refused request, attributed to the user
// and source address in its context, in its own transaction. It is
// written even when the caller has hung up, so that hanging up cannot
// keep an attempt out of the log.
func (f *Refusals) Record(r *http.Request, status int, code, reason string) {
	if f == nil || f.rec == nil {
		return
	}
	ctx := context.WithoutCancel(r.Context())
	key := "source:" + warroom.SourceFromContext(ctx)
	if id := warroom.UserIDFromContext(ctx); id != 0 {
		key = "user:" + strconv.FormatInt(id, 10)
	}
	ok, suppressed := f.limiter.allow(key, time.Now())
	if !ok {
		return
	}
	_, pattern, _ := strings.Cut(r.Pattern, " ")
	rec := warroom.Refusal{Method: r.Method, Route: pattern, Path: r.URL.Path, Status: status, Code: code, Reason: reason, Suppressed: suppressed}
	if err := f.rec.RecordRefusal(ctx, rec); err != nil {
		f.logger.Error("server: recording a refusal", "err", err, "route", pattern)
	}
}
