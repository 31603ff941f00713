package app_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/warroomhq/warroom/internal/store/storetest"
)

// inbox is an in-process SMTP server (github.com/emersion/go-smtp) that
// keeps every message it accepts.
type inbox struct {
	mu   sync.Mutex
	msgs []*mail.Message
	body []string
}

func (b *inbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &inboxSession{b: b}, nil }

type inboxSession struct{ b *inbox }

func (s *inboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *inboxSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *inboxSession) Reset()                               {}
func (s *inboxSession) Logout() error                        { return nil }
func (s *inboxSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(m.Body)
	if err != nil {
		return err
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.msgs = append(s.b.msgs, m)
	s.b.body = append(s.b.body, string(body))
	return nil
}

func newInbox(t *testing.T) (*inbox, int) {
	t.Helper()
	b := &inbox{}
	srv := smtp.NewServer(b)
	srv.Domain = "localhost"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return b, ln.Addr().(*net.TCPAddr).Port
}

// TestMain_StatusPageMailUsesConfig: the status page's mail goes through
// the SMTP relay of the server's one Config, set here by the environment
// names deployments already use, and its links use WARROOM_BASE_URL.
func TestMain_StatusPageMailUsesConfig(t *testing.T) {
	box, port := newInbox(t)
	m, _ := runMain(t, storetest.DSN(t, "sqlite"), map[string]string{
		"WARROOM_SMTP_HOST": "127.0.0.1", "WARROOM_SMTP_PORT": strconv.Itoa(port), "WARROOM_SMTP_TLS": "none",
		"WARROOM_SMTP_FROM": "status@example.com", "WARROOM_BASE_URL": "https://warroom.example.com",
	})
	res, err := http.PostForm(m.Server.URL()+"/status/subscribe", url.Values{"email": {"ana@example.com"}, "lang": {"en"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("subscribe: %d", res.StatusCode)
	}
	// The serving engine may be mid-tick with the delivery claimed, so tick
	// until the mail arrives rather than assert after one tick.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		m.Engine.Tick(context.Background())
		box.mu.Lock()
		n := len(box.msgs)
		box.mu.Unlock()
		if n > 0 {
			break
		}
	}
	box.mu.Lock()
	defer box.mu.Unlock()
	if len(box.msgs) != 1 {
		t.Fatalf("received %d messages, want the confirmation", len(box.msgs))
	}
	if from := box.msgs[0].Header.Get("From"); !strings.Contains(from, "status@example.com") {
		t.Errorf("From = %q, want the configured sender", from)
	}
	if !strings.Contains(box.body[0], "https://warroom.example.com/status/confirm?token=") {
		t.Errorf("confirmation does not link to WARROOM_BASE_URL:\n%s", box.body[0])
	}
}
