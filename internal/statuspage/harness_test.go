package statuspage_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/email"
	"github.com/warroomhq/warroom/internal/notify/webhook"
	"github.com/warroomhq/warroom/internal/statuspage"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// clock is a fake clock the tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// mailbox is a real SMTP server, in-process, built with
// github.com/emersion/go-smtp; it keeps every message it accepts.
type mailbox struct {
	mu   sync.Mutex
	msgs []*letter
	addr string
}

// letter is one received message with its decoded text.
type letter struct {
	To      string
	Subject string
	Header  mail.Header
	Text    string
}

func (m *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{m: m}, nil }

type smtpSession struct {
	m  *mailbox
	to []string
}

func (s *smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *smtpSession) Reset()        { s.to = nil }
func (s *smtpSession) Logout() error { return nil }
func (s *smtpSession) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		return err
	}
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		if body, err = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body))); err != nil {
			return err
		}
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	for _, to := range s.to {
		s.m.msgs = append(s.m.msgs, &letter{To: to, Subject: subject, Header: msg.Header, Text: string(body)})
	}
	return nil
}

func newMailbox(t *testing.T) *mailbox {
	t.Helper()
	m := &mailbox{}
	srv := smtp.NewServer(m)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return m
}

// to returns the messages sent to addr.
func (m *mailbox) to(addr string) []*letter {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*letter
	for _, l := range m.msgs {
		if strings.EqualFold(l.To, addr) {
			out = append(out, l)
		}
	}
	return out
}

// hooks is a webhook receiver that verifies signatures.
type hooks struct {
	mu     sync.Mutex
	bodies [][]byte
	secret string
	t      *testing.T
	now    func() time.Time
}

func (h *hooks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.secret != "" {
		if err := webhook.Verify(h.secret, r.Header.Get(webhook.HeaderTimestamp), r.Header.Get(webhook.HeaderSignature), b, h.now(), 5*time.Minute); err != nil {
			h.t.Errorf("webhook signature: %v", err)
		}
	}
	h.bodies = append(h.bodies, b)
}

func (h *hooks) received() [][]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([][]byte(nil), h.bodies...)
}

// env is a store, the public page served over real HTTP, the module with
// real email and webhook channels, and an SMTP server and a webhook
// receiver to deliver to.
type env struct {
	db     *store.DB
	dsn    string // where db is, for tests that damage it with SQL
	clock  *clock
	ctx    context.Context
	admin  *warroom.User
	page   *statuspage.Handler
	srv    *httptest.Server
	mail   *mailbox
	hooks  *hooks
	hookSr *httptest.Server
	mod    *statuspage.Notifier
	send   notify.Notifier // the channels mod sends through
}

func newEnv(t *testing.T, engine string) *env {
	t.Helper()
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	dsn := storetest.DSN(t, engine)
	db, err := store.Open(context.Background(), dsn, store.Options{Now: c.Now})
	if err != nil {
		t.Fatalf("open %s store: %v", engine, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close %s store: %v", engine, err)
		}
	})
	admin, ctx, _ := storetest.User(t, db, warroom.UserRoleAdmin)
	page, err := statuspage.New(statuspage.Deps{StatusPage: db, Subscribers: db, Now: c.Now, CheckInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(page)
	t.Cleanup(srv.Close)
	mb := newMailbox(t)
	host, port, _ := net.SplitHostPort(mb.addr)
	var p int
	for _, ch := range port {
		p = p*10 + int(ch-'0')
	}
	em, err := email.New(email.Config{Host: host, Port: p, TLS: email.TLSNone, From: "status@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	reg := notify.NewRegistry()
	reg.Register(warroom.ContactEmail, em)
	reg.Register(warroom.ContactWebhook, webhook.New(notify.MustParsePolicy("127.0.0.1").Client(5*time.Second)))
	hk := &hooks{t: t, now: c.Now}
	hookSrv := httptest.NewServer(hk)
	t.Cleanup(hookSrv.Close)
	mod, err := statuspage.NewNotifier(statuspage.NotifierOptions{Queue: db, Send: reg, BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return &env{db: db, dsn: dsn, clock: c, ctx: ctx, admin: admin, page: page, srv: srv, mail: mb, hooks: hk, hookSr: hookSrv, mod: mod, send: reg}
}

// tick runs the module once at the clock's time.
func (e *env) tick(t *testing.T) {
	t.Helper()
	if err := e.mod.Tick(e.ctx, e.clock.Now()); err != nil {
		t.Fatalf("tick: %v", err)
	}
}

// get fetches a public page, with a language.
func (e *env) get(t *testing.T, path, lang string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// fresh moves the clock past the version check interval so that the next
// request sees the latest change.
func (e *env) fresh() { e.clock.Add(2 * time.Second) }
