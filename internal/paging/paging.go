// Package paging is the engine side of on-call: modules that page
// escalation levels when they fall due, send SLA warnings and breach
// notices, and deliver the outbox with retries; and the handler behind the
// signed acknowledge and resolve links every message carries.
//
// Every timer lives in the database (warroom.PagingStore); these modules
// only claim what is due at the tick's now and act on it, so a restart or a
// second instance loses nothing and pages nobody twice. Timers are rows in
// warroom's own tables rather than jobs in a queue such as River: the
// escalation, its outbox rows and its timeline event must commit in the
// declare transaction on SQLite as on PostgreSQL, and River's SQLite
// driver is young while the claim needed here is a single indexed UPDATE.
package paging

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/notify"
)

// Options configures the paging modules.
type Options struct {
	Store    warroom.PagingStore
	Notifier notify.Notifier
	// Templates renders messages; nil means the built-in ones.
	Templates *notify.Templates
	// BaseURL is warroom's external address, for links in messages.
	BaseURL string
	// LinkTTL is how long acknowledge and resolve links work; 0 means 24h.
	LinkTTL time.Duration
	// Batch is how many rows one claim takes; 0 means 200.
	Batch int
	// Workers bounds concurrent sends; 0 means 16.
	Workers int
	// Lease is how long a claimed notification is reserved for its send;
	// 0 means two minutes.
	Lease time.Duration
	// BackoffBase and BackoffMax shape the retry delays: base, 2×base, 4×base…
	// up to max. 0 means 15s and 5m.
	BackoffBase, BackoffMax time.Duration
	// MaxAttempts is when a retryable failure becomes permanent; 0 means 12.
	MaxAttempts int
	// Wake asks the engine for an early tick; it arms a timer for the next
	// due row so that timers fire on time without a fast polling interval.
	Wake func()
	// Now is the clock outcomes are stamped with; nil means time.Now.
	Now func() time.Time
	// SendTimeout bounds one send; 0 means 30 seconds.
	SendTimeout time.Duration
	Logger      *slog.Logger
	// Observe, if set, is told every send attempt's channel and outcome,
	// when it fell due and when its send began, for metrics.
	Observe func(channel string, sent, retry bool, due, start time.Time)
}

// Pager holds the modules' shared state.
type Pager struct {
	opts  Options
	links *Links

	sem chan struct{}
	wg  sync.WaitGroup

	timerMu sync.Mutex
	timer   *time.Timer
	timerAt time.Time
}

// New returns a pager; Modules lists its engine modules.
func New(opts Options) (*Pager, error) {
	if opts.Templates == nil {
		t, err := notify.LoadTemplates(nil)
		if err != nil {
			return nil, err
		}
		opts.Templates = t
	}
	if opts.LinkTTL <= 0 {
		opts.LinkTTL = 24 * time.Hour
	}
	if opts.Batch <= 0 {
		opts.Batch = 200
	}
	if opts.Workers <= 0 {
		opts.Workers = 16
	}
	if opts.Lease <= 0 {
		opts.Lease = 2 * time.Minute
	}
	if opts.BackoffBase <= 0 {
		opts.BackoffBase = 15 * time.Second
	}
	if opts.BackoffMax <= 0 {
		opts.BackoffMax = 5 * time.Minute
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 12
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SendTimeout <= 0 {
		opts.SendTimeout = 30 * time.Second
	}
	return &Pager{opts: opts, links: &Links{Key: opts.Store.LinkKey, BaseURL: opts.BaseURL}, sem: make(chan struct{}, opts.Workers)}, nil
}

// Links returns the signer of acknowledge and resolve links.
func (p *Pager) Links() *Links { return p.links }

// Module is one engine module of the pager.
type Module struct {
	name string
	tick func(ctx context.Context, now time.Time) error
}

// Name implements engine.Module.
func (m Module) Name() string { return m.name }

// Tick implements engine.Module.
func (m Module) Tick(ctx context.Context, now time.Time) error { return m.tick(ctx, now) }

// Modules returns the modules in the order they must run in one tick:
// escalations and SLA timers queue notifications that delivery then sends
// in the same tick.
func (p *Pager) Modules() []Module {
	return []Module{
		{"escalations", p.fireAll(p.opts.Store.FireEscalations)},
		{"sla-timers", p.fireAll(p.opts.Store.FireSLATimers)},
		{"delivery", p.deliver},
	}
}

// fireAll claims batches until a batch comes back short.
func (p *Pager) fireAll(fire func(context.Context, time.Time, int) (int, error)) func(context.Context, time.Time) error {
	return func(ctx context.Context, now time.Time) error {
		for ctx.Err() == nil {
			n, err := fire(ctx, now, p.opts.Batch)
			if err != nil {
				return err
			}
			if n < p.opts.Batch {
				return nil
			}
		}
		return ctx.Err()
	}
}

// deliver claims as many due notifications as there are free workers and
// hands them to the workers, then arms the wake-up for the next due timer.
// It does not wait for the sends: a slow relay must not hold up the next
// escalation step, which runs in the same tick loop. The lease keeps a
// claimed notification from being claimed again while its send runs.
func (p *Pager) deliver(ctx context.Context, now time.Time) error {
	for ctx.Err() == nil {
		free := cap(p.sem) - len(p.sem)
		if free == 0 {
			break
		}
		ds, err := p.opts.Store.ClaimNotifications(ctx, now, p.opts.Lease, min(free, p.opts.Batch))
		if err != nil {
			return err
		}
		for _, d := range ds {
			p.sem <- struct{}{}
			p.wg.Add(1)
			go p.work(d)
		}
		if len(ds) < min(free, p.opts.Batch) {
			break
		}
	}
	return p.arm(ctx, now)
}

// work sends one notification and records the outcome at the time it is
// known.
func (p *Pager) work(d *warroom.NotificationDelivery) {
	defer func() { <-p.sem; p.wg.Done() }()
	ctx, cancel := context.WithTimeout(context.Background(), p.opts.SendTimeout)
	defer cancel()
	start := p.opts.Now()
	out := p.send(ctx, start, d)
	if p.opts.Observe != nil {
		var due time.Time
		if d.NextAt != nil {
			due = *d.NextAt
		}
		p.opts.Observe(string(d.ContactType), out.Sent, !out.RetryAt.IsZero(), due, start)
	}
	// The outcome is stored even if the send ran out of time, on a fresh
	// context: losing it would resend a message that may have gone out.
	cctx, ccancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer ccancel()
	if err := p.opts.Store.CompleteNotification(cctx, d.ID, p.opts.Now(), out); err != nil {
		p.opts.Logger.Error("record notification outcome", "id", d.ID, "err", err)
	}
	if !out.RetryAt.IsZero() {
		// A retry falls due later; make sure a timer will fire for it.
		p.wakeAt(out.RetryAt)
	}
}

// Flush waits until every send in flight has finished and its outcome is
// stored. Tests call it after a tick; Close calls it on shutdown.
func (p *Pager) Flush() { p.wg.Wait() }

// send renders and sends one notification and classifies the outcome.
func (p *Pager) send(ctx context.Context, now time.Time, d *warroom.NotificationDelivery) warroom.DeliveryOutcome {
	msg, err := p.message(ctx, now, d)
	if err != nil {
		// A template or key problem will not fix itself by waiting long,
		// but it may be fixed by an operator: retry on the normal schedule.
		p.opts.Logger.Error("render notification", "id", d.ID, "err", err)
		return p.outcome(now, d.Attempts, true, err)
	}
	retry, err := p.opts.Notifier.Notify(ctx, msg)
	if err == nil {
		return warroom.DeliveryOutcome{Sent: true}
	}
	p.opts.Logger.Warn("notification failed", "id", d.ID, "type", d.ContactType, "attempt", d.Attempts, "retry", retry, "err", err)
	return p.outcome(now, d.Attempts, retry, err)
}

// outcome turns a failure into a retry time or a permanent failure.
func (p *Pager) outcome(now time.Time, attempts int, retry bool, err error) warroom.DeliveryOutcome {
	out := warroom.DeliveryOutcome{Error: err.Error()}
	if !retry || attempts >= p.opts.MaxAttempts {
		return out
	}
	out.RetryAt = now.Add(Backoff(attempts, p.opts.BackoffBase, p.opts.BackoffMax))
	if after, ok := notify.RetryAfter(err); ok {
		// The receiver knows its own recovery best; an hour is the most we
		// let a page wait on its say-so.
		out.RetryAt = now.Add(min(max(after, time.Second), time.Hour))
	}
	return out
}

// Backoff returns the delay after the given number of failed attempts:
// base, 2×base, 4×base, … capped at max.
func Backoff(attempts int, base, maxDelay time.Duration) time.Duration {
	d := base
	for i := 1; i < attempts && d < maxDelay; i++ {
		d *= 2
	}
	return min(d, maxDelay)
}

// message renders d in its recipient's language.
func (p *Pager) message(ctx context.Context, now time.Time, d *warroom.NotificationDelivery) (*notify.Message, error) {
	data := notify.Data{Kind: d.Kind, Level: d.Level, Text: d.Text}
	if inc := d.Incident; inc != nil {
		data.Incident = &notify.Incident{ID: inc.ID, Number: inc.Number, Title: inc.Title, Severity: string(inc.Severity), State: string(inc.State), Drill: inc.Drill,
			URL: p.links.base() + "/incidents/" + strconv.FormatInt(inc.ID, 10)}
		data.OpenURL = data.Incident.URL
		if inc.SLA != nil {
			data.Due = inc.SLA.AckDue
			if d.Text == "resolve" {
				data.Due = inc.SLA.ResolveDue
			}
			if d.User != nil {
				if loc, err := time.LoadLocation(d.User.TimeZone); err == nil {
					data.Due = data.Due.In(loc)
				}
			}
		}
		if inc.State.Open() {
			var err error
			if inc.AcknowledgedAt == nil {
				if data.AckURL, err = p.links.URL(ctx, inc.ID, d.UserID, warroom.LinkAcknowledge, now.Add(p.opts.LinkTTL)); err != nil {
					return nil, err
				}
			}
			if data.ResolveURL, err = p.links.URL(ctx, inc.ID, d.UserID, warroom.LinkResolve, now.Add(p.opts.LinkTTL)); err != nil {
				return nil, err
			}
		}
	}
	p.subject(d, &data)
	locale := "en"
	if d.User != nil {
		locale = d.User.Locale
	}
	c, err := p.opts.Templates.Render(locale, data)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	return &notify.Message{
		ID: d.ID, UserID: d.UserID, Kind: d.Kind, Locale: locale, Subject: c.Subject, Text: c.Text, HTML: c.HTML, Incident: data.Incident, Links: c.Links, At: now,
		To: notify.Destination{Type: d.Contact.Type, Address: d.Contact.Address, Secret: d.Contact.Secret},
	}, nil
}

// subject adds what a reminder or change message is about.
func (p *Pager) subject(d *warroom.NotificationDelivery, data *notify.Data) {
	if r := d.Reminder; r != nil {
		due := r.DueAt
		if d.User != nil {
			if loc, err := time.LoadLocation(d.User.TimeZone); err == nil {
				due = due.In(loc)
			}
		}
		data.Reminder = &notify.Reminder{Kind: string(r.Kind), Title: d.TargetTitle, Due: due}
		if r.TargetType == "postmortem" {
			data.OpenURL = p.links.base() + "/postmortems/" + strconv.FormatInt(r.TargetID, 10)
		} else {
			data.OpenURL = p.links.base() + "/action-items"
		}
	}
	if n, c := d.ChangeNotice, d.Change; n != nil && c != nil {
		names := ""
		for i, s := range c.Services {
			if i > 0 {
				names += ", "
			}
			names += s.Name
		}
		data.Change = &notify.Change{Notice: n.Kind, Number: c.Number, Title: c.Title, Kind: string(c.Kind), Risk: string(c.Risk), State: string(c.State),
			Services: names, Note: n.Text}
		data.OpenURL = p.links.base() + "/changes/" + strconv.FormatInt(c.ID, 10)
	}
}

// arm schedules a wake-up for the next due timer, so that timers fire on
// time without the engine polling fast.
func (p *Pager) arm(ctx context.Context, now time.Time) error {
	if p.opts.Wake == nil {
		return nil
	}
	next, err := p.opts.Store.NextPagingDue(ctx)
	if err != nil || next == nil {
		return err
	}
	p.timerMu.Lock()
	defer p.timerMu.Unlock()
	p.resetTimer(time.Now().Add(max(next.Sub(now), 0)))
	return nil
}

// wakeAt makes sure a wake-up comes no later than at (a wall-clock time
// derived from the pager's clock).
func (p *Pager) wakeAt(at time.Time) {
	if p.opts.Wake == nil {
		return
	}
	p.timerMu.Lock()
	defer p.timerMu.Unlock()
	when := time.Now().Add(max(at.Sub(p.opts.Now()), 0))
	if p.timer == nil || p.timerAt.IsZero() || when.Before(p.timerAt) {
		p.resetTimer(when)
	}
}

func (p *Pager) resetTimer(when time.Time) {
	p.timerAt = when
	d := max(time.Until(when), 0)
	if p.timer == nil {
		p.timer = time.AfterFunc(d, func() {
			p.timerMu.Lock()
			p.timerAt = time.Time{}
			p.timerMu.Unlock()
			p.opts.Wake()
		})
		return
	}
	p.timer.Reset(d)
}

// Close cancels the pending wake-up and waits for sends in flight.
func (p *Pager) Close() {
	p.timerMu.Lock()
	if p.timer != nil {
		p.timer.Stop()
	}
	p.timerMu.Unlock()
	p.Flush()
}
