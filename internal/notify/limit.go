package notify

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits bound how often a costly channel (SMS, a phone call) is used: per
// recipient, so that an alert storm or someone re-sending verification
// codes cannot run up a bill on one number, and in total, so that a storm
// across everyone cannot either. Burst is how many may go at once.
type Limits struct {
	PerPerson, Global           rate.Limit
	PerPersonBurst, GlobalBurst int
}

// PhoneLimits are the defaults for SMS and voice: a person gets at most 6
// at once and 20 an hour; everyone together 60 at once and 600 an hour.
var PhoneLimits = Limits{PerPerson: rate.Every(time.Hour / 20), PerPersonBurst: 6, Global: rate.Every(time.Hour / 600), GlobalBurst: 60}

// Limited is a notifier behind Limits. It is safe for concurrent use.
type Limited struct {
	next   Notifier
	limits Limits

	mu     sync.Mutex
	global *rate.Limiter
	person map[string]*rate.Limiter
}

// Limit puts next behind limits.
func Limit(next Notifier, limits Limits) *Limited {
	return &Limited{next: next, limits: limits, global: rate.NewLimiter(limits.Global, limits.GlobalBurst), person: map[string]*rate.Limiter{}}
}

// errLimited is the cause of a delayed send.
var errLimited = errors.New("rate limit reached")

// Notify implements Notifier. A message over a limit is not dropped: it is
// a retryable failure with the delay until a token is free, which the
// pager waits out. Time is the message's, so that the limits follow the
// pager's clock.
func (l *Limited) Notify(ctx context.Context, msg *Message) (bool, error) {
	now := msg.At
	if now.IsZero() {
		now = time.Now()
	}
	key := "user:" + strconv.FormatInt(msg.UserID, 10)
	if msg.UserID == 0 {
		key = "to:" + msg.To.Address
	}
	l.mu.Lock()
	p, ok := l.person[key]
	if !ok {
		p = rate.NewLimiter(l.limits.PerPerson, l.limits.PerPersonBurst)
		l.person[key] = p
	}
	rp := p.ReserveN(now, 1)
	rg := l.global.ReserveN(now, 1)
	delay := max(rp.DelayFrom(now), rg.DelayFrom(now))
	if !rp.OK() || !rg.OK() || delay > 0 {
		// Give the tokens back: this message waits, it does not spend.
		rp.CancelAt(now)
		rg.CancelAt(now)
		l.mu.Unlock()
		if delay <= 0 {
			delay = time.Minute
		}
		return true, &RetryAfterError{After: delay, Err: errLimited}
	}
	l.mu.Unlock()
	return l.next.Notify(ctx, msg)
}
