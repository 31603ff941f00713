package paging_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/engine"
	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/dingtalk"
	"github.com/warroomhq/warroom/internal/notify/email"
	"github.com/warroomhq/warroom/internal/paging"
	"github.com/warroomhq/warroom/internal/secret"
	"github.com/warroomhq/warroom/internal/store"
	"github.com/warroomhq/warroom/internal/store/storetest"
)

// clock is the scenario's fast-forwarded time.
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

// mailbox is an in-process SMTP server (github.com/emersion/go-smtp) that
// can be taken down and brought back on the same port.
type mailbox struct {
	t    *testing.T
	addr string
	srv  *smtp.Server
	mu   sync.Mutex
	msgs []*mailMsg
}

type mailMsg struct {
	To, Subject, Body string
}

func newMailbox(t *testing.T) *mailbox {
	m := &mailbox{t: t}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.addr = l.Addr().String()
	m.serve(l)
	t.Cleanup(m.Down)
	return m
}

func (m *mailbox) serve(l net.Listener) {
	m.srv = smtp.NewServer(m)
	m.srv.Domain = "localhost"
	go m.srv.Serve(l)
}

// Down stops accepting connections: the SMTP relay is unreachable.
func (m *mailbox) Down() {
	if m.srv != nil {
		m.srv.Close()
		m.srv = nil
	}
}

// Up brings the relay back on its old port.
func (m *mailbox) Up() {
	l, err := net.Listen("tcp", m.addr)
	if err != nil {
		m.t.Fatal(err)
	}
	m.serve(l)
}

func (m *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{box: m}, nil }

type mailSession struct {
	box *mailbox
	to  string
}

func (s *mailSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }
func (s *mailSession) Reset()                                    {}
func (s *mailSession) Logout() error                             { return nil }
func (s *mailSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	body, err := plainText(msg)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	s.box.msgs = append(s.box.msgs, &mailMsg{To: s.to, Subject: subject, Body: body})
	return nil
}

// plainText returns the text/plain part of a message, transfer-decoded.
func plainText(msg *mail.Message) (string, error) {
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(mt, "multipart/") {
		b, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
		return string(b), err
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			b, err := io.ReadAll(p)
			return string(b), err
		}
	}
}

// To returns the messages sent to addr.
func (m *mailbox) To(addr string) []*mailMsg {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*mailMsg
	for _, x := range m.msgs {
		if x.To == addr {
			out = append(out, x)
		}
	}
	return out
}

// robot is a DingTalk custom robot that checks the signature the way
// DingTalk documents it and keeps the messages.
type robot struct {
	srv    *httptest.Server
	secret string
	mu     sync.Mutex
	texts  []string
}

func newRobot(t *testing.T, secret string) *robot {
	r := &robot{secret: secret}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		q := req.URL.Query()
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(q.Get("timestamp") + "\n" + secret))
		if q.Get("sign") != base64.StdEncoding.EncodeToString(m.Sum(nil)) {
			w.Write([]byte(`{"errcode":310000,"errmsg":"sign not match"}`))
			return
		}
		var p dingtalk.Payload
		if err := json.NewDecoder(req.Body).Decode(&p); err != nil {
			w.Write([]byte(`{"errcode":40035,"errmsg":"bad json"}`))
			return
		}
		r.mu.Lock()
		r.texts = append(r.texts, p.Markdown.Text)
		r.mu.Unlock()
		w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *robot) Texts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.texts...)
}

// harness is a warroom with its real store and paging engine.
type harness struct {
	t       *testing.T
	engine  string
	dsn     string
	clock   *clock
	db      *store.DB
	pager   *paging.Pager
	eng     *engine.Engine
	mail    *mailbox
	robot   *robot
	links   *httptest.Server
	box     *secret.Box
	hmu     sync.RWMutex
	handler http.Handler
}

func newHarness(t *testing.T, engineName string) *harness {
	h := &harness{t: t, engine: engineName, clock: &clock{t: time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)}}
	h.dsn = storetest.DSN(t, engineName)
	box, err := secret.New(bytes.Repeat([]byte{7}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	h.box = box
	h.mail = newMailbox(t)
	h.robot = newRobot(t, "SECtest")
	// The link server starts before the pager so that links carry its URL;
	// open swaps in a handler on the reopened store after a restart.
	h.links = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.hmu.RLock()
		defer h.hmu.RUnlock()
		h.handler.ServeHTTP(w, r)
	}))
	t.Cleanup(h.links.Close)
	h.open()
	return h
}

// open opens the store and a fresh pager on the same database, as a
// process start does.
func (h *harness) open() {
	db, err := store.Open(context.Background(), h.dsn, store.Options{Now: h.clock.Now, Sealer: h.box})
	if err != nil {
		h.t.Fatal(err)
	}
	h.db = db
	reg := notify.NewRegistry()
	mailer, err := email.New(email.Config{Host: "127.0.0.1", Port: mustPort(h.t, h.mail.addr), TLS: email.TLSNone, From: "warroom@example.com", Timeout: 5 * time.Second})
	if err != nil {
		h.t.Fatal(err)
	}
	reg.Register(warroom.ContactEmail, mailer)
	reg.Register(warroom.ContactDingTalk, dingtalk.New(notify.MustParsePolicy("127.0.0.1").Client(5*time.Second)))
	h.pager, err = paging.New(paging.Options{Store: db, Notifier: reg, BaseURL: h.links.URL, Now: h.clock.Now})
	if err != nil {
		h.t.Fatal(err)
	}
	var mods []engine.Module
	for _, m := range h.pager.Modules() {
		mods = append(mods, m)
	}
	h.eng = engine.New(engine.Options{Now: h.clock.Now}, mods...)
	h.hmu.Lock()
	h.handler = paging.NewHandler(paging.HandlerDeps{Links: h.pager.Links(), Incidents: db, Users: db, Teams: db, Now: h.clock.Now})
	h.hmu.Unlock()
}

// restart closes the store and opens it again, losing every bit of
// in-memory state.
func (h *harness) restart() {
	h.pager.Close()
	if err := h.db.Close(); err != nil {
		h.t.Fatal(err)
	}
	h.open()
}

func (h *harness) close() {
	h.pager.Close()
	h.db.Close()
}

func mustPort(t *testing.T, addr string) int {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for _, c := range p {
		n = n*10 + int(c-'0')
	}
	return n
}

// tick runs one engine tick and fails on any module error.
func (h *harness) tick() {
	h.t.Helper()
	h.eng.Tick(context.Background())
	h.pager.Flush()
	for name, s := range h.eng.Stats() {
		if s.LastError != "" {
			h.t.Fatalf("module %s: %s", name, s.LastError)
		}
	}
}

// advance moves the clock in steps, ticking after each.
func (h *harness) advance(d, step time.Duration) {
	h.t.Helper()
	for end := h.clock.Now().Add(d); h.clock.Now().Before(end); {
		h.clock.Add(min(step, end.Sub(h.clock.Now())))
		h.tick()
	}
}

var codeRe = regexp.MustCompile(`\b(\d{6})\b`)

// person creates a user with verified contact methods, proving each one
// with the code it received, the way a person would.
func (h *harness) person(ctx context.Context, name, locale string, dingtalk bool) *warroom.User {
	h.t.Helper()
	u := &warroom.User{Name: name, Email: strings.ToLower(name) + "@example.com", Role: warroom.UserRoleResponder, Locale: locale}
	if err := h.db.CreateUser(ctx, u); err != nil {
		h.t.Fatal(err)
	}
	cm := &warroom.ContactMethod{UserID: u.ID, Type: warroom.ContactEmail, Name: "work email", Address: u.Email}
	if err := h.db.CreateContactMethod(ctx, cm); err != nil {
		h.t.Fatal(err)
	}
	h.tick()
	got := h.mail.To(u.Email)
	if len(got) == 0 {
		h.t.Fatalf("%s received no verification email", name)
	}
	code := codeRe.FindString(got[len(got)-1].Body)
	if err := h.db.VerifyContactMethod(ctx, u.ID, cm.ID, code); err != nil {
		h.t.Fatalf("verify %s's email with %q: %v", name, code, err)
	}
	if err := h.db.CreateNotificationRule(ctx, &warroom.NotificationRule{UserID: u.ID, ContactMethodID: cm.ID}); err != nil {
		h.t.Fatal(err)
	}
	if dingtalk {
		dt := &warroom.ContactMethod{UserID: u.ID, Type: warroom.ContactDingTalk, Name: "oncall group", Address: h.robot.srv.URL + "/robot/send?access_token=t", Secret: h.robot.secret}
		if err := h.db.CreateContactMethod(ctx, dt); err != nil {
			h.t.Fatal(err)
		}
		h.tick()
		texts := h.robot.Texts()
		code := codeRe.FindString(texts[len(texts)-1])
		if err := h.db.VerifyContactMethod(ctx, u.ID, dt.ID, code); err != nil {
			h.t.Fatalf("verify %s's DingTalk with %q: %v", name, code, err)
		}
		if err := h.db.CreateNotificationRule(ctx, &warroom.NotificationRule{UserID: u.ID, ContactMethodID: dt.ID}); err != nil {
			h.t.Fatal(err)
		}
	}
	return u
}

// events returns the incident's timeline events of the given kinds.
func (h *harness) events(id int64, kinds ...warroom.EventKind) []*warroom.Event {
	h.t.Helper()
	es, _, err := h.db.FindEvents(context.Background(), warroom.EventFilter{IncidentID: id, Kinds: kinds, Ascending: true, Limit: 500})
	if err != nil {
		h.t.Fatal(err)
	}
	return es
}

var linkRe = regexp.MustCompile(`https?://[^\s"<>]+/l/[0-9A-Za-z._-]+`)

// link finds the link of an action in a message body.
func link(t *testing.T, body, label string) string {
	t.Helper()
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), label+":") {
			if u := linkRe.FindString(line); u != "" {
				return u
			}
		}
	}
	t.Fatalf("no %s link in %q", label, body)
	return ""
}
