// Package checkpoint writes audit chain checkpoints out of the database and
// reads them back for `warroom audit verify --checkpoint`. A checkpoint is
// worth as much as the distance between where it is kept and the database:
// a file on another disk or host, a mailbox, a log collector's webhook that
// whoever can change the database cannot change too.
package checkpoint

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// Kinds of destination.
const (
	KindFile    = "file"
	KindEmail   = "email"
	KindWebhook = "webhook"
)

// Destination is one place checkpoints are written to.
type Destination struct {
	Kind string
	// Target is the file path, the email address or the webhook URL.
	Target string
}

// String describes the destination for the audit log and messages, without
// the query or user info of a webhook URL, which may carry a token.
func (d Destination) String() string {
	if d.Kind != KindWebhook {
		return d.Kind + ":" + d.Target
	}
	u, err := url.Parse(d.Target)
	if err != nil {
		return d.Kind + ":?"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return d.Kind + ":" + u.String()
}

// ParseDestinations reads a comma-separated list: a file path (or
// file:PATH), mailto:ADDRESS, or an http(s):// URL.
func ParseDestinations(s string) ([]Destination, error) {
	var ds []Destination
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		switch {
		case strings.HasPrefix(item, "mailto:"):
			a, err := mail.ParseAddress(strings.TrimPrefix(item, "mailto:"))
			if err != nil {
				return nil, fmt.Errorf("%q is not an email address: %w", item, err)
			}
			ds = append(ds, Destination{KindEmail, a.Address})
		case strings.HasPrefix(item, "http://"), strings.HasPrefix(item, "https://"):
			if u, err := url.Parse(item); err != nil || u.Host == "" {
				return nil, fmt.Errorf("%q is not a URL", Destination{KindWebhook, item})
			}
			ds = append(ds, Destination{KindWebhook, item})
		default:
			p := strings.TrimPrefix(item, "file:")
			if p == "" || strings.Contains(p, "://") {
				return nil, fmt.Errorf("%q is not a file path, mailto: address or http(s) URL", item)
			}
			ds = append(ds, Destination{KindFile, p})
		}
	}
	return ds, nil
}

// Mailer sends one plain-text email.
type Mailer func(ctx context.Context, to, subject, body string, at time.Time) error

// Writer writes each checkpoint to every destination.
type Writer struct {
	Destinations []Destination
	// HTTP posts to webhooks; nil means a client with a 10-second timeout.
	HTTP *http.Client
	// Mail sends to email destinations; nil refuses them.
	Mail Mailer
}

// Write writes cp to every destination, trying them all; the error names
// each that failed.
func (w *Writer) Write(ctx context.Context, cp *warroom.AuditCheckpoint) error {
	line, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	var errs []error
	for _, d := range w.Destinations {
		var err error
		switch d.Kind {
		case KindFile:
			err = appendLine(d.Target, line)
		case KindWebhook:
			err = w.post(ctx, d.Target, line)
		case KindEmail:
			if w.Mail == nil {
				err = errors.New("email is off (no --smtp-host)")
			} else {
				err = w.Mail(ctx, d.Target, fmt.Sprintf("warroom audit checkpoint: entry %d", cp.Seq),
					"Keep this line: `warroom audit verify --checkpoint FILE` checks the audit log against it.\n\n"+string(line)+"\n", cp.At)
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", d, err))
		}
	}
	return errors.Join(errs...)
}

// appendLine appends one JSON line and syncs it: a checkpoint reported
// written must survive a crash.
func appendLine(path string, line []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (w *Writer) post(ctx context.Context, target string, body []byte) error {
	c := w.HTTP
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		// The URL may carry a token; the error would repeat it.
		var ue *url.Error
		if errors.As(err, &ue) {
			return fmt.Errorf("post: %w", ue.Err)
		}
		return err
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("answered %s", res.Status)
	}
	return nil
}

// MaxLine bounds one line of a checkpoint file.
const MaxLine = 4096

// Read parses a checkpoint file: one JSON object per line, as Write
// appends them; blank lines are skipped.
func Read(r io.Reader) ([]warroom.AuditCheckpoint, error) {
	var cps []warroom.AuditCheckpoint
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, MaxLine), MaxLine)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var cp warroom.AuditCheckpoint
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cp); err != nil {
			return nil, fmt.Errorf("line %d: not a checkpoint: %w", n, err)
		}
		if dec.More() {
			return nil, fmt.Errorf("line %d: more than one checkpoint", n)
		}
		if cp.Seq < 0 || cp.MAC == "" || cp.At.IsZero() {
			return nil, fmt.Errorf("line %d: not a checkpoint: seq, at and mac are required", n)
		}
		cps = append(cps, cp)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", n+1, err)
	}
	return cps, nil
}
