package email_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/email"
)

// server is an in-process SMTP server built with github.com/emersion/go-smtp
// that requires STARTTLS and AUTH PLAIN and keeps what it receives.
type server struct {
	mu       sync.Mutex
	received []received
	// rcptErr, when set, is the answer to RCPT TO.
	rcptErr error
}

type received struct {
	from, to string
	data     []byte
}

func (s *server) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{srv: s}, nil }

type session struct {
	srv      *server
	authed   bool
	from, to string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != "warroom" || password != "pw" {
			return errors.New("invalid credentials")
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	if s.srv.rcptErr != nil {
		return s.srv.rcptErr
	}
	s.to = to
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	s.srv.received = append(s.srv.received, received{s.from, s.to, b})
	return nil
}

func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

func start(t *testing.T, implicit bool) (*server, int, *x509.CertPool) {
	t.Helper()
	cert, pool := selfSigned(t)
	backend := &server{}
	s := smtp.NewServer(backend)
	s.Domain = "localhost"
	s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	var l net.Listener
	var err error
	if implicit {
		l, err = tls.Listen("tcp", "127.0.0.1:0", s.TLSConfig)
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	return backend, l.Addr().(*net.TCPAddr).Port, pool
}

func message() *notify.Message {
	return &notify.Message{ID: 9, Kind: warroom.NotifyPage, At: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC),
		Subject: "[P1] INC-7 支付失败", Text: "INC-7 is triggered", HTML: "<p>INC-7 is triggered</p>",
		To:    notify.Destination{Type: warroom.ContactEmail, Address: "ana@example.com"},
		Links: []notify.Link{{Label: "Acknowledge", URL: "https://w/l/a"}}}
}

func TestNotify(t *testing.T) {
	for _, mode := range []string{email.TLSStartTLS, email.TLSImplicit} {
		t.Run(mode, func(t *testing.T) {
			srv, port, pool := start(t, mode == email.TLSImplicit)
			n, err := email.New(email.Config{Host: "127.0.0.1", Port: port, Username: "warroom", Password: "pw", TLS: mode,
				From: "warroom@example.com", TLSConfig: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}})
			if err != nil {
				t.Fatal(err)
			}
			if retry, err := n.Notify(context.Background(), message()); err != nil || retry {
				t.Fatalf("got retry=%t err=%v", retry, err)
			}
			if len(srv.received) != 1 {
				t.Fatalf("got %d messages, want 1", len(srv.received))
			}
			r := srv.received[0]
			m, err := mail.ReadMessage(bytes.NewReader(r.data))
			if err != nil {
				t.Fatal(err)
			}
			subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
			body, _ := io.ReadAll(m.Body)
			if r.from != "warroom@example.com" || r.to != "ana@example.com" || subject != "[P1] INC-7 支付失败" ||
				m.Header.Get("Message-Id") != "<notification-9@warroom>" || !strings.HasPrefix(m.Header.Get("Content-Type"), "multipart/alternative") ||
				!strings.Contains(string(body), "text/html") || !strings.Contains(string(body), "https://w/l/a") {
				t.Errorf("got from %q to %q subject %q headers %v body %s", r.from, r.to, subject, m.Header, body)
			}
		})
	}
}

func TestNotifyFailures(t *testing.T) {
	srv, port, pool := start(t, false)
	cfg := email.Config{Host: "127.0.0.1", Port: port, Username: "warroom", Password: "pw", From: "warroom@example.com",
		TLSConfig: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}, Timeout: 5 * time.Second}
	tests := []struct {
		name      string
		cfg       func(email.Config) email.Config
		rcptErr   error
		wantRetry bool
	}{
		{"mailbox unavailable is permanent", nil, &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}, false},
		{"greylisting is retried", nil, &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "try later"}, true},
		{"server down is retried", func(c email.Config) email.Config { c.Port = closedPort(t); return c }, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.mu.Lock()
			srv.rcptErr = tt.rcptErr
			srv.mu.Unlock()
			c := cfg
			if tt.cfg != nil {
				c = tt.cfg(c)
			}
			n, err := email.New(c)
			if err != nil {
				t.Fatal(err)
			}
			retry, err := n.Notify(context.Background(), message())
			if err == nil || retry != tt.wantRetry {
				t.Errorf("got retry=%t err=%v, want retry=%t", retry, err, tt.wantRetry)
			}
		})
	}
	t.Run("config", func(t *testing.T) {
		for _, c := range []email.Config{{From: "a@b"}, {Host: "h"}, {Host: "h", From: "a@b", TLS: "ssl3"}} {
			if _, err := email.New(c); err == nil {
				t.Errorf("%+v: got no error", c)
			}
		}
	})
}

func closedPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}
