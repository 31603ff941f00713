// Package webhook posts notifications as JSON to any HTTP endpoint, signed
// so that the receiver can check they come from warroom and are fresh.
//
// Every request carries:
//
//	X-Warroom-Event:     the notification kind (page, sla_warning, …)
//	X-Warroom-Delivery:  the notification ID; a retry reuses it
//	X-Warroom-Timestamp: Unix seconds when the request was signed
//	X-Warroom-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//
// A receiver recomputes the HMAC over the raw body with the shared secret,
// compares it in constant time and rejects timestamps more than five
// minutes old, which stops replays. Verify does exactly that.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/warroomhq/warroom/internal/notify"
)

// Header names.
const (
	HeaderEvent     = "X-Warroom-Event"
	HeaderDelivery  = "X-Warroom-Delivery"
	HeaderTimestamp = "X-Warroom-Timestamp"
	HeaderSignature = "X-Warroom-Signature"
)

// Payload is the JSON body.
type Payload struct {
	ID       int64            `json:"id"`
	Event    string           `json:"event"`
	SentAt   time.Time        `json:"sent_at"`
	Locale   string           `json:"locale"`
	Subject  string           `json:"subject"`
	Text     string           `json:"text"`
	Incident *notify.Incident `json:"incident"`
	Links    []Link           `json:"links"`
}

// Link is a call to action in the payload.
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// Notifier posts to generic webhooks.
type Notifier struct{ client *http.Client }

// New returns a notifier using client.
func New(client *http.Client) *Notifier { return &Notifier{client: client} }

// Sign returns the signature header value for body signed at ts.
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a received request's timestamp and signature headers
// against body; it is what a receiver written in Go would call.
func Verify(secret, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return errors.New("webhook: bad timestamp")
	}
	if math.Abs(float64(now.Unix()-ts)) > tolerance.Seconds() {
		return errors.New("webhook: timestamp outside tolerance")
	}
	if !hmac.Equal([]byte(Sign(secret, ts, body)), []byte(strings.TrimSpace(signature))) {
		return errors.New("webhook: signature mismatch")
	}
	return nil
}

// Notify implements notify.Notifier.
func (n *Notifier) Notify(ctx context.Context, msg *notify.Message) (bool, error) {
	p := Payload{ID: msg.ID, Event: string(msg.Kind), SentAt: msg.At.UTC(), Locale: msg.Locale, Subject: msg.Subject, Text: msg.Text, Incident: msg.Incident, Links: []Link{}}
	for _, l := range msg.Links {
		p.Links = append(p.Links, Link(l))
	}
	body, err := json.Marshal(p)
	if err != nil {
		return false, fmt.Errorf("webhook: %w", err)
	}
	req, err := notify.NewRequest(ctx, msg.To.Address, body)
	if err != nil {
		return false, fmt.Errorf("webhook: %w", err)
	}
	ts := msg.At.Unix()
	req.Header.Set(HeaderEvent, string(msg.Kind))
	req.Header.Set(HeaderDelivery, strconv.FormatInt(msg.ID, 10))
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	if msg.To.Secret != "" {
		req.Header.Set(HeaderSignature, Sign(msg.To.Secret, ts, body))
	}
	if _, retry, err := notify.Send(n.client, req); err != nil {
		return retry, fmt.Errorf("webhook: %w", err)
	}
	return false, nil
}
