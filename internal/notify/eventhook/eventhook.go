// Package eventhook posts queued incident events to webhook subscriptions.
// Each POST carries the event's JSON payload, signed with the scheme of
// warroom's webhook notifications (package webhook), so that one receiver
// verifies both:
//
//	X-Warroom-Event:     the event type (incident.declared, alert.attached, …)
//	X-Warroom-Delivery:  the delivery ID; a retry or redelivery reuses it
//	X-Warroom-Timestamp: Unix seconds when the request was signed
//	X-Warroom-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>
package eventhook

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/webhook"
)

// Sender posts deliveries.
type Sender struct{ client *http.Client }

// New returns a sender using client, which must be the outbound policy's
// client: subscription URLs are chosen by people.
func New(client *http.Client) *Sender { return &Sender{client: client} }

// Send posts one delivery signed at now and classifies the answer the
// way every HTTP channel does (notify.Send): 2xx delivered; 408, 425, 429
// and 5xx, timeouts and network errors retried; anything else, and a
// destination the outbound policy refuses, permanent.
func (s *Sender) Send(ctx context.Context, d *warroom.HookSend, now time.Time) warroom.HookOutcome {
	start := time.Now()
	body := []byte(d.Body)
	req, err := notify.NewRequest(ctx, d.URL, body)
	if err != nil {
		return warroom.HookOutcome{Error: err.Error()}
	}
	ts := now.Unix()
	req.Header.Set(webhook.HeaderEvent, string(d.EventType))
	req.Header.Set(webhook.HeaderDelivery, strconv.FormatInt(d.ID, 10))
	req.Header.Set(webhook.HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(webhook.HeaderSignature, webhook.Sign(d.Secret, ts, body))
	rec := &statusRecorder{next: s.client.Transport}
	c := *s.client
	c.Transport = rec
	_, retry, err := notify.Send(&c, req)
	out := warroom.HookOutcome{Status: rec.status, Duration: time.Since(start), Retry: retry}
	if err != nil {
		out.Error = err.Error()
		var ra *notify.RetryAfterError
		if errors.As(err, &ra) {
			out.RetryAfter = ra.After
		}
	}
	return out
}

// statusRecorder keeps the status code of the response notify.Send reads,
// for the delivery log: Send reports only success or failure.
type statusRecorder struct {
	next   http.RoundTripper
	status int
}

// RoundTrip implements http.RoundTripper.
func (r *statusRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	next := r.next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req)
	if resp != nil {
		r.status = resp.StatusCode
	}
	return resp, err
}
