package statuspage_test

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/statuspage"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// endingSender sends through the real channels and then ends the tick's
// context, as the engine's deadline does when a send finishes just in time.
type endingSender struct {
	next notify.Notifier

	mu     sync.Mutex
	sent   int
	cancel context.CancelFunc
}

func (s *endingSender) Notify(ctx context.Context, m *notify.Message) (bool, error) {
	retry, err := s.next.Notify(ctx, m)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		s.sent++
	}
	if s.cancel != nil {
		s.cancel()
	}
	return retry, err
}

// A message that went out is recorded as delivered even when the tick's
// context ends right after the send; otherwise the lease lapses and the
// subscriber receives it a second time.
func TestDeliveryOutcomeSurvivesDeadline(t *testing.T) {
	storetest.Run(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine)
		res, err := http.PostForm(e.srv.URL+"/status/subscribe", url.Values{"email": {"ops@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("subscribe: %d", res.StatusCode)
		}
		snd := &endingSender{next: e.send}
		mod, err := statuspage.NewNotifier(statuspage.NotifierOptions{Queue: e.db, Send: snd, BaseURL: e.srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(e.ctx)
		snd.cancel = cancel
		_ = mod.Tick(ctx, e.clock.Now()) // ends with the context's error
		snd.mu.Lock()
		snd.cancel = nil
		snd.mu.Unlock()

		e.clock.Add(10 * time.Minute) // well past the delivery lease
		if err := mod.Tick(e.ctx, e.clock.Now()); err != nil {
			t.Fatalf("tick: %v", err)
		}
		if got := len(e.mail.to("ops@example.com")); got != 1 {
			t.Errorf("confirmation mails received = %d, want 1", got)
		}
	})
}
