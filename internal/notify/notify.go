// Package notify delivers messages to people: the Notifier interface every
// channel implements, a registry that picks the channel for a contact
// method, and the localised, overridable templates messages are rendered
// from. Each channel lives in its own subpackage with its vendor's wire
// format and signing.
package notify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/warroomhq/warroom"
)

// Destination is where a message goes: a contact method with its
// credentials decrypted.
type Destination struct {
	Type    warroom.ContactType
	Address string
	Secret  string
}

// Incident is what a message says about the incident it concerns.
type Incident struct {
	ID       int64  `json:"id"`
	Number   string `json:"number"`
	Title    string `json:"title"`
	Severity string `json:"severity"`
	State    string `json:"state"`
	URL      string `json:"url"`
	// Drill marks a rehearsal: every message about it says so.
	Drill bool `json:"drill,omitempty"`
}

// Link is a call to action: acknowledge, resolve, open.
type Link struct {
	Label string
	URL   string
}

// Message is one rendered message to one destination.
type Message struct {
	// ID identifies the outbox row, so receivers can drop a redelivery.
	ID int64
	// UserID is the recipient, for channels whose answer (a key pressed
	// in a call) comes back to warroom and acts in their name.
	UserID   int64
	Kind     warroom.NotificationKind
	To       Destination
	Locale   string
	Subject  string
	Text     string
	HTML     string
	Incident *Incident
	Links    []Link
	// At is the sending time that signatures and timestamps carry.
	At time.Time
	// Headers are extra header fields for email (List-Unsubscribe and
	// List-Unsubscribe-Post for subscribers); other channels have no
	// headers of their own to put them in and ignore them.
	Headers map[string]string
}

// Notifier sends a message on one channel. retry reports whether the
// failure is worth trying again (a timeout, a 5xx, a 429); an error with
// retry false is permanent and the attempt is marked failed.
type Notifier interface {
	Notify(ctx context.Context, msg *Message) (retry bool, err error)
}

// NotifierFunc adapts a function to Notifier.
type NotifierFunc func(ctx context.Context, msg *Message) (bool, error)

// Notify implements Notifier.
func (f NotifierFunc) Notify(ctx context.Context, msg *Message) (bool, error) { return f(ctx, msg) }

// RetryAfterError is a retryable failure whose receiver said when to come
// back (HTTP 429 or 503 with Retry-After).
type RetryAfterError struct {
	After time.Duration
	Err   error
}

// Error implements error.
func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
}

// Unwrap returns the cause.
func (e *RetryAfterError) Unwrap() error { return e.Err }

// RetryAfter returns the delay a receiver asked for, if any.
func RetryAfter(err error) (time.Duration, bool) {
	var r *RetryAfterError
	if errors.As(err, &r) {
		return r.After, true
	}
	return 0, false
}

// Registry maps contact types to notifiers. It is safe for concurrent use.
type Registry struct {
	mu        sync.RWMutex
	notifiers map[warroom.ContactType]Notifier
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{notifiers: map[warroom.ContactType]Notifier{}}
}

// Register sets the notifier of a contact type, replacing any before it.
func (r *Registry) Register(t warroom.ContactType, n Notifier) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notifiers[t] = n
}

// Notify sends msg with the notifier of its destination's type. A type
// with no notifier is a permanent failure: retrying will not configure it.
func (r *Registry) Notify(ctx context.Context, msg *Message) (bool, error) {
	r.mu.RLock()
	n, ok := r.notifiers[msg.To.Type]
	r.mu.RUnlock()
	if !ok {
		return false, fmt.Errorf("notify: no %s channel is configured", msg.To.Type)
	}
	return n.Notify(ctx, msg)
}

// Stub records messages instead of sending them, for development and for
// tests that assert on what a person received.
type Stub struct {
	mu   sync.Mutex
	sent []*Message
}

// Notify implements Notifier.
func (s *Stub) Notify(_ context.Context, msg *Message) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := *msg
	s.sent = append(s.sent, &m)
	return false, nil
}

// Sent returns a copy of every message recorded so far.
func (s *Stub) Sent() []*Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Message(nil), s.sent...)
}
