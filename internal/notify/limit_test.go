package notify_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/warroomhq/warroom/internal/notify"
)

func TestLimit(t *testing.T) {
	stub := &notify.Stub{}
	l := notify.Limit(stub, notify.Limits{PerPerson: rate.Every(time.Minute), PerPersonBurst: 2, Global: rate.Every(time.Second), GlobalBurst: 3})
	at := time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)
	send := func(user int64, at time.Time) (bool, error) {
		return l.Notify(context.Background(), &notify.Message{UserID: user, At: at})
	}
	for i := range 2 {
		if retry, err := send(1, at); err != nil || retry {
			t.Fatalf("send %d: retry=%t err=%v", i, retry, err)
		}
	}
	retry, err := send(1, at)
	after, ok := notify.RetryAfter(err)
	if !retry || !ok || after <= 0 || after > time.Minute {
		t.Errorf("third to one person: retry=%t err=%v after=%s, want a retry within a minute", retry, err, after)
	}
	// Another person still gets through, until the global burst is spent.
	if _, err := send(2, at); err != nil {
		t.Errorf("other person: %v", err)
	}
	if _, err := send(3, at); err == nil {
		t.Errorf("fourth in the same instant passed the global burst of 3")
	}
	// A refused message spends nothing: once the person's token is back,
	// it goes.
	if _, err := send(1, at.Add(time.Minute)); err != nil {
		t.Errorf("a minute later: %v", err)
	}
	if got := len(stub.Sent()); got != 4 {
		t.Errorf("%d sent, want 4", got)
	}
}

func TestFailover(t *testing.T) {
	down := notify.NotifierFunc(func(context.Context, *notify.Message) (bool, error) { return true, errors.New("first: 503") })
	refused := notify.NotifierFunc(func(context.Context, *notify.Message) (bool, error) { return false, errors.New("second: 401") })
	up := &notify.Stub{}
	if retry, err := (notify.Failover{down, up}).Notify(context.Background(), &notify.Message{}); err != nil || retry || len(up.Sent()) != 1 {
		t.Errorf("second provider up: retry=%t err=%v sent=%d", retry, err, len(up.Sent()))
	}
	retry, err := (notify.Failover{down, refused}).Notify(context.Background(), &notify.Message{})
	if err == nil || !retry || !strings.Contains(err.Error(), "first: 503") || !strings.Contains(err.Error(), "second: 401") {
		t.Errorf("both down: retry=%t err=%v, want retryable with both causes", retry, err)
	}
	if retry, err := (notify.Failover{refused}).Notify(context.Background(), &notify.Message{}); err == nil || retry {
		t.Errorf("only refused: retry=%t err=%v, want permanent", retry, err)
	}
}
