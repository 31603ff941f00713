package eventhook_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/eventhook"
	"github.com/warroomhq/warroom/internal/notify/webhook"
)

// A receiver verifies the delivery as the documentation tells it to, and
// each answer is classified for the delivery log.
func TestSend(t *testing.T) {
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	status := http.StatusNoContent
	var verr error
	var headers http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		headers = r.Header
		verr = webhook.Verify("whsec_x", r.Header.Get(webhook.HeaderTimestamp), r.Header.Get(webhook.HeaderSignature), body, at.Add(time.Second), 5*time.Minute)
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "120")
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	s := eventhook.New(notify.MustParsePolicy("127.0.0.1").Client(5 * time.Second))
	d := &warroom.HookSend{HookDelivery: warroom.HookDelivery{ID: 9, EventType: "incident.declared", Body: `{"id":9}`}, URL: srv.URL + "/in", Secret: "whsec_x"}

	for _, tc := range []struct {
		status     int
		ok, retry  bool
		retryAfter time.Duration
	}{
		{http.StatusNoContent, true, false, 0},
		{http.StatusServiceUnavailable, false, true, 0},
		{http.StatusTooManyRequests, false, true, 2 * time.Minute},
		{http.StatusBadRequest, false, false, 0},
	} {
		status = tc.status
		out := s.Send(context.Background(), d, at)
		if out.OK() != tc.ok || out.Retry != tc.retry || out.Status != tc.status || out.RetryAfter != tc.retryAfter {
			t.Errorf("%d: got %+v", tc.status, out)
		}
		if verr != nil {
			t.Errorf("%d: receiver could not verify: %v", tc.status, verr)
		}
		if headers.Get(webhook.HeaderEvent) != "incident.declared" || headers.Get(webhook.HeaderDelivery) != "9" {
			t.Errorf("headers %v", headers)
		}
	}
}

// A destination the outbound policy refuses is a permanent failure, and
// the error does not carry the URL (it may hold a token).
func TestSend_Refused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the refused endpoint was reached")
	}))
	defer srv.Close()
	s := eventhook.New(notify.MustParsePolicy("").Client(5 * time.Second))
	d := &warroom.HookSend{HookDelivery: warroom.HookDelivery{ID: 1, Body: `{}`}, URL: srv.URL + "/in?token=s3cret", Secret: "x"}
	out := s.Send(context.Background(), d, time.Now())
	if out.OK() || out.Retry || !strings.Contains(out.Error, "loopback") || strings.Contains(out.Error, "s3cret") {
		t.Errorf("got %+v", out)
	}
}
