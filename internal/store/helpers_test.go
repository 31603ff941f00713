package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// clock is a fake clock tests move forward by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is one engine's store with a fake clock and an admin acting on it.
type env struct {
	db    *store.DB
	clock *clock
	admin *warroom.User
	ctx   context.Context
}

func newEnv(t *testing.T, engine string) *env {
	t.Helper()
	c := newClock()
	db := storetest.Open(t, engine, c.Now)
	u, ctx, _ := storetest.User(t, db, warroom.UserRoleAdmin)
	return &env{db: db, clock: c, admin: u, ctx: warroom.NewContextWithSource(ctx, "192.0.2.7")}
}

// declare declares an incident or fails the test.
func (e *env) declare(t *testing.T, inc *warroom.Incident) *warroom.Incident {
	t.Helper()
	if inc.Type == "" {
		inc.Type = warroom.TypeSystemCrash
	}
	if err := e.db.DeclareIncident(e.ctx, inc); err != nil {
		t.Fatalf("DeclareIncident: %v", err)
	}
	return inc
}

func (e *env) service(t *testing.T, name string) *warroom.Service {
	t.Helper()
	s := &warroom.Service{Name: name, Team: "core", Tier: 1}
	if err := e.db.CreateService(e.ctx, s); err != nil {
		t.Fatalf("CreateService: %v", err)
	}
	return s
}

// audits returns the audit entries of an action, newest first.
func (e *env) audits(t *testing.T, action warroom.AuditAction) []*warroom.AuditEntry {
	t.Helper()
	es, _, err := e.db.FindAuditEntries(context.Background(), warroom.AuditFilter{Action: &action, Limit: warroom.MaxPageSize})
	if err != nil {
		t.Fatalf("FindAuditEntries: %v", err)
	}
	return es
}

// events returns an incident's events of the given kinds, oldest first.
func (e *env) events(t *testing.T, incidentID int64, kinds ...warroom.EventKind) []*warroom.Event {
	t.Helper()
	es, _, err := e.db.FindEvents(context.Background(), warroom.EventFilter{IncidentID: incidentID, Kinds: kinds, Ascending: true, Limit: warroom.MaxPageSize})
	if err != nil {
		t.Fatalf("FindEvents: %v", err)
	}
	return es
}

// wantCode fails unless err carries the application error code want.
func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := warroom.ErrorCode(err); got != want {
		t.Fatalf("error code = %q (%v), want %q", got, err, want)
	}
}

// wantField fails unless err names field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	if got := warroom.ErrorField(err); got != field {
		t.Fatalf("error field = %q (%v), want %q", got, err, field)
	}
}

func ptr[T any](v T) *T { return &v }
