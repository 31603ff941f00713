package statuspage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/notify"
)

// NotifierOptions configure the communications module.
type NotifierOptions struct {
	Queue warroom.CommunicationQueue
	// Send delivers one message; a notify.Registry with the email, webhook
	// and chat channels registered.
	Send notify.Notifier
	// BaseURL is where warroom is reached (http://host:port), for links to
	// incidents and, when the page has no public URL, to /status.
	BaseURL string
	Logger  *slog.Logger
	// Batch bounds the notices and deliveries handled per tick; zero
	// means 100.
	Batch int
}

// Notifier is the engine module that tells people: it turns what happened
// into notices, fans each notice out to one delivery per recipient in the
// recipient's language, and sends the deliveries that are due, retrying
// with backoff. Every step is a row in the database, so a restart loses
// nothing and resends nothing already delivered.
type Notifier struct {
	o   NotifierOptions
	cat *catalog

	baseMu sync.Mutex
	base   string
}

// NewNotifier returns the module.
func NewNotifier(o NotifierOptions) (*Notifier, error) {
	if o.Queue == nil || o.Send == nil {
		return nil, errors.New("statuspage: Queue and Send are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Batch <= 0 {
		o.Batch = 100
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	cat, err := newCatalog()
	if err != nil {
		return nil, fmt.Errorf("statuspage: %w", err)
	}
	return &Notifier{o: o, cat: cat, base: o.BaseURL}, nil
}

// SetBaseURL changes where links point, for a server that learns its own
// address only once it listens (a port chosen by the system).
func (n *Notifier) SetBaseURL(u string) {
	n.baseMu.Lock()
	defer n.baseMu.Unlock()
	n.base = strings.TrimRight(u, "/")
}

func (n *Notifier) baseURL() string {
	n.baseMu.Lock()
	defer n.baseMu.Unlock()
	return n.base
}

// Name implements engine.Module.
func (n *Notifier) Name() string { return "communications" }

// deliveryLease is how long a claimed delivery is left to its sender before
// another attempt may take it.
const deliveryLease = 2 * time.Minute

// Tick queues, fans out and delivers what is due at now.
func (n *Notifier) Tick(ctx context.Context, now time.Time) error {
	if _, err := n.o.Queue.QueueDueNotices(ctx, now); err != nil {
		return err
	}
	notices, err := n.o.Queue.PendingNotices(ctx, n.o.Batch)
	if err != nil {
		return err
	}
	for _, nt := range notices {
		if err := n.fanOutNotice(ctx, nt.ID); err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				// Not the notice's fault: it is tried again next tick.
				return ctxErr
			}
			// One notice that cannot be loaded or saved must not hold up
			// every stakeholder and subscriber notice queued behind it.
			n.o.Logger.Warn("statuspage: notice failed", "notice", nt.ID, "kind", nt.Kind, "err", err)
			if ferr := n.o.Queue.FailNotice(ctx, nt.ID, err); ferr != nil {
				return fmt.Errorf("statuspage: record notice %d failure: %w (after %v)", nt.ID, ferr, err)
			}
		}
	}
	ds, err := n.o.Queue.ClaimDeliveries(ctx, now, deliveryLease, n.o.Batch)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if err := ctx.Err(); err != nil {
			// The rest stay leased and are sent once the lease lapses.
			return err
		}
		msg := &notify.Message{ID: d.ID, Kind: warroom.NotificationKind("status"), To: notify.Destination{Type: warroom.ContactType(d.Channel), Address: d.Target, Secret: d.Secret},
			Subject: d.Subject, Text: d.Body, At: now, Headers: d.Headers}
		retry, sendErr := n.o.Send.Notify(ctx, msg)
		var retryAt *time.Time
		if sendErr != nil {
			n.o.Logger.Warn("statuspage: delivery failed", "delivery", d.ID, "channel", d.Channel, "attempt", d.Attempts, "retry", retry, "err", sendErr)
			if retry {
				t := now.Add(backoff(d.Attempts, sendErr))
				retryAt = &t
			}
		}
		if err := n.finish(ctx, d.ID, sendErr, retryAt); err != nil {
			return err
		}
	}
	return nil
}

// fanOutNotice turns one notice into its deliveries.
func (n *Notifier) fanOutNotice(ctx context.Context, id int64) error {
	nc, err := n.o.Queue.LoadNotice(ctx, id)
	if err != nil {
		return err
	}
	return n.o.Queue.CompleteNotice(ctx, id, n.fanOut(nc))
}

// finish records a delivery's outcome even when the tick's context ended
// during the send: a message that went out but is not recorded would be sent
// again once its lease lapses.
func (n *Notifier) finish(ctx context.Context, id int64, sendErr error, retryAt *time.Time) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return n.o.Queue.FinishDelivery(ctx, id, sendErr, retryAt)
}

// backoff doubles from 30 seconds up to an hour, or follows what the
// receiver asked for.
func backoff(attempt int, err error) time.Duration {
	if d, ok := notify.RetryAfter(err); ok && d > 0 {
		return min(d, time.Hour)
	}
	d := 30 * time.Second
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// recipient is one destination with its language.
type recipient struct {
	kind   warroom.ChannelKind
	target string
	locale string
	secret string
	token  string
}

// fanOut renders one delivery per recipient of a notice.
func (n *Notifier) fanOut(nc *warroom.NoticeContext) []*warroom.Delivery {
	var out []*warroom.Delivery
	seen := map[string]bool{}
	add := func(r recipient, subject, body string, headers map[string]string) {
		key := string(r.kind) + " " + strings.ToLower(r.target)
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, &warroom.Delivery{Channel: r.kind, Target: r.target, Secret: r.secret, Subject: subject, Body: body, Headers: headers})
	}
	base := n.baseURL()
	statusBase := base
	if nc.Settings != nil && nc.Settings.PublicURL != "" {
		statusBase = nc.Settings.PublicURL
	}
	// Stakeholders first: the groups the scope rules named.
	if nc.Incident != nil && len(nc.Groups) > 0 {
		var names []string
		for _, g := range nc.Groups {
			names = append(names, g.Name)
		}
		var rs []recipient
		for _, g := range nc.Groups {
			for _, uid := range g.MemberIDs {
				if u := nc.Members[uid]; u != nil {
					rs = append(rs, recipient{kind: warroom.ChannelEmail, target: u.Email, locale: u.Locale})
				}
			}
			for _, c := range g.Channels {
				rs = append(rs, recipient{kind: c.Kind, target: c.Target, locale: c.Locale})
			}
		}
		for _, r := range rs {
			subject, body := n.stakeholderMessage(n.cat.lang(r.locale), nc, names)
			add(r, subject, body, nil)
		}
	}
	for _, s := range nc.Subscribers {
		l := n.cat.lang(s.Locale)
		r := recipient{kind: s.Kind, target: s.Target, locale: s.Locale, secret: s.Secret, token: s.Token}
		unsubscribe := statusBase + "/status/unsubscribe?token=" + url.QueryEscape(s.Token)
		var subject, body string
		switch {
		case nc.Notice.Kind == warroom.NoticeConfirm:
			confirm := statusBase + "/status/confirm?token=" + url.QueryEscape(s.Token)
			subject = l.T("mail.confirm.subject", "Page", nc.Settings.Name)
			body = l.T("mail.confirm.body", "Page", nc.Settings.Name, "URL", confirm)
			add(r, subject, body, nil)
			continue
		case nc.PublicIncident != nil && nc.Update != nil:
			p, u := nc.PublicIncident, nc.Update
			subject = l.T("mail.public.subject", "Page", nc.Settings.Name, "Title", p.Title, "Stage", l.Stage(u.PublicStatus))
			body = updateText(l, u.WhatHappened, u.Impact, u.Actions, u.NextUpdateBy) + "\n\n" +
				l.T("mail.view", "URL", fmt.Sprintf("%s/status/incidents/%d", statusBase, p.ID))
		case nc.Maintenance != nil:
			m := nc.Maintenance
			subject = l.T("mail.maintenance.subject", "Page", nc.Settings.Name, "Title", m.Title)
			body = l.T("maintenance.window", "Start", l.Time(m.StartsAt), "End", l.Time(m.EndsAt))
			if m.Body != "" {
				body += "\n\n" + m.Body
			}
			body += "\n\n" + l.T("mail.view", "URL", statusBase+"/status")
		default:
			continue
		}
		var headers map[string]string
		if s.Kind == warroom.ChannelEmail {
			body += "\n\n" + l.T("mail.unsubscribe", "URL", unsubscribe)
			// RFC 8058 one-click unsubscribe, for channels that set headers.
			headers = map[string]string{"List-Unsubscribe": "<" + unsubscribe + ">", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
		}
		add(r, subject, body, headers)
	}
	if nc.Notice.Kind == warroom.NoticeUpdateOverdue && nc.Communicator != nil && nc.Incident != nil {
		u, inc := nc.Communicator, nc.Incident
		l := n.cat.lang(u.Locale)
		due := "?"
		if ts := nc.Notice.CreatedAt; !ts.IsZero() {
			due = l.Time(ts)
		}
		add(recipient{kind: warroom.ChannelEmail, target: u.Email, locale: u.Locale},
			l.T("mail.overdue.subject", "Number", inc.Number),
			l.T("mail.overdue.body", "Number", inc.Number, "Title", inc.Title, "Due", due, "URL", fmt.Sprintf("%s/incidents/%d", base, inc.ID)), nil)
	}
	return out
}

// stakeholderMessage writes the templated update for a stakeholder: what
// happened, the impact, what is being done and when the next update comes.
func (n *Notifier) stakeholderMessage(l *lang, nc *warroom.NoticeContext, groups []string) (string, string) {
	inc := nc.Incident
	key := "mail.stakeholder.update"
	switch nc.Notice.Kind {
	case warroom.NoticeDeclared:
		key = "mail.stakeholder.declared"
	case warroom.NoticeResolved:
		key = "mail.stakeholder.resolved"
	}
	subject := l.T(key, "Severity", inc.Severity, "Number", inc.Number, "Title", inc.Title)
	if inc.Drill {
		subject = l.T("mail.stakeholder.drill") + " " + subject
	}
	var b strings.Builder
	b.WriteString(l.T("mail.stakeholder.intro", "Groups", strings.Join(groups, ", ")) + "\n")
	b.WriteString(l.T("mail.stakeholder.state", "State", inc.State, "Severity", inc.Severity, "Type", inc.Type) + "\n\n")
	if u := nc.Update; u != nil {
		b.WriteString(l.T("update.what") + ": " + updateText(l, u.WhatHappened, u.Impact, u.Actions, u.NextUpdateBy))
	} else if inc.Summary != "" {
		b.WriteString(inc.Summary)
	}
	b.WriteString("\n\n" + l.T("mail.stakeholder.open", "URL", fmt.Sprintf("%s/incidents/%d", n.baseURL(), inc.ID)))
	return subject, b.String()
}
