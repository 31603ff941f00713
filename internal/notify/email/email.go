// Package email sends notifications over SMTP with
// github.com/wneessen/go-mail: a maintained client that does STARTTLS and
// implicit TLS, SMTP AUTH, and multipart text + HTML bodies, and that
// reports whether a server rejection is temporary (4xx) or permanent (5xx).
package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strconv"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/warroomhq/warroom/internal/notify"
)

// TLS modes.
const (
	TLSStartTLS = "starttls" // upgrade a plain connection, refusing servers that cannot
	TLSImplicit = "tls"      // TLS from the first byte (SMTPS, usually port 465)
	TLSNone     = "none"     // plain text: only for a relay on localhost
)

// Config is the SMTP relay warroom sends through.
type Config struct {
	Host     string
	Port     int
	Username string
	Password string
	// TLS is one of TLSStartTLS (the default), TLSImplicit or TLSNone.
	TLS  string
	From string
	// TLSConfig overrides certificate checks, for tests with their own CA.
	TLSConfig *tls.Config
	Timeout   time.Duration
}

// Notifier sends email.
type Notifier struct{ cfg Config }

// New checks cfg and returns a notifier.
func New(cfg Config) (*Notifier, error) {
	if cfg.Host == "" {
		return nil, errors.New("email: host is required")
	} else if cfg.From == "" {
		return nil, errors.New("email: from address is required")
	}
	switch cfg.TLS {
	case "":
		cfg.TLS = TLSStartTLS
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return nil, fmt.Errorf("email: unknown TLS mode %q (want starttls, tls or none)", cfg.TLS)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	return &Notifier{cfg: cfg}, nil
}

func (n *Notifier) client() (*mail.Client, error) {
	opts := []mail.Option{mail.WithTimeout(n.cfg.Timeout)}
	if n.cfg.Port != 0 {
		opts = append(opts, mail.WithPort(n.cfg.Port))
	}
	switch n.cfg.TLS {
	case TLSImplicit:
		opts = append(opts, mail.WithSSL())
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if n.cfg.TLSConfig != nil {
		opts = append(opts, mail.WithTLSConfig(n.cfg.TLSConfig))
	}
	if n.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(n.cfg.Username), mail.WithPassword(n.cfg.Password))
	}
	return mail.NewClient(n.cfg.Host, opts...)
}

// Notify implements notify.Notifier. A 4xx answer or a connection failure
// is retryable; a 5xx answer (unknown mailbox, rejected content) is not.
func (n *Notifier) Notify(ctx context.Context, msg *notify.Message) (bool, error) {
	m := mail.NewMsg()
	if err := m.From(n.cfg.From); err != nil {
		return false, fmt.Errorf("email: from: %w", err)
	}
	if err := m.To(msg.To.Address); err != nil {
		return false, fmt.Errorf("email: to: %w", err)
	}
	m.Subject(msg.Subject)
	m.SetDateWithValue(msg.At)
	// A stable Message-ID per notification lets mail clients thread and
	// drop a redelivered copy.
	m.SetMessageIDWithValue("notification-" + strconv.FormatInt(msg.ID, 10) + "@warroom")
	m.SetGenHeader("X-Warroom-Event", string(msg.Kind))
	for k, v := range msg.Headers {
		m.SetGenHeader(mail.Header(k), v)
	}
	text := msg.Text
	for _, l := range msg.Links {
		text += "\n" + l.Label + ": " + l.URL
	}
	m.SetBodyString(mail.TypeTextPlain, text)
	if msg.HTML != "" {
		m.AddAlternativeString(mail.TypeTextHTML, msg.HTML)
	}
	c, err := n.client()
	if err != nil {
		return false, fmt.Errorf("email: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		var se *mail.SendError
		if errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
			return false, fmt.Errorf("email: %w", err)
		}
		return true, fmt.Errorf("email: %w", err)
	}
	return false, nil
}
