// Package dingtalk posts notifications to a DingTalk custom robot as a
// Markdown message. With a signing secret the URL carries timestamp (Unix
// milliseconds) and sign = base64(HMAC-SHA256(key = secret,
// message = timestamp + "\n" + secret)) as query parameters
// (https://open.dingtalk.com/document/robots/customize-robot-security-settings).
package dingtalk

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/warroomhq/warroom/internal/notify"
)

// codeSendTooFast is DingTalk's rate-limit answer (20 messages a minute).
const codeSendTooFast = 130101

// Notifier posts to DingTalk custom robots.
type Notifier struct{ client *http.Client }

// New returns a notifier using client.
func New(client *http.Client) *Notifier { return &Notifier{client: client} }

// Sign returns the sign parameter for timestamp (Unix milliseconds), before
// URL encoding.
func Sign(timestampMillis int64, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(timestampMillis, 10) + "\n" + secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Markdown is the markdown message body.
type Markdown struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

// Payload is the robot body.
type Payload struct {
	MsgType  string   `json:"msgtype"`
	Markdown Markdown `json:"markdown"`
}

// Build returns the payload for msg: the subject and text escaped, then
// warroom's own links. The title is only shown, as plain text, in the
// conversation list.
func Build(msg *notify.Message) Payload {
	var b strings.Builder
	b.WriteString("### " + notify.EscapeMarkdown(strings.ReplaceAll(msg.Subject, "\n", " ")) + "\n\n")
	// DingTalk Markdown needs a blank line for a line break.
	b.WriteString(strings.ReplaceAll(notify.EscapeMarkdown(msg.Text), "\n", "\n\n"))
	if len(msg.Links) > 0 {
		b.WriteString("\n\n")
		for i, l := range msg.Links {
			if i > 0 {
				b.WriteString(" | ")
			}
			fmt.Fprintf(&b, "[%s](%s)", notify.LinkLabel(l.Label), l.URL)
		}
	}
	return Payload{MsgType: "markdown", Markdown: Markdown{Title: msg.Subject, Text: b.String()}}
}

// SignedURL adds timestamp and sign to the robot's URL.
func SignedURL(address, secret string, timestampMillis int64) (string, error) {
	u, err := url.Parse(address)
	if err != nil {
		return "", fmt.Errorf("bad robot URL")
	}
	q := u.Query()
	q.Set("timestamp", strconv.FormatInt(timestampMillis, 10))
	q.Set("sign", Sign(timestampMillis, secret))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Notify implements notify.Notifier.
func (n *Notifier) Notify(ctx context.Context, msg *notify.Message) (bool, error) {
	body, err := json.Marshal(Build(msg))
	if err != nil {
		return false, fmt.Errorf("dingtalk: %w", err)
	}
	addr := msg.To.Address
	if msg.To.Secret != "" {
		if addr, err = SignedURL(addr, msg.To.Secret, msg.At.UnixMilli()); err != nil {
			return false, fmt.Errorf("dingtalk: %w", err)
		}
	}
	req, err := notify.NewRequest(ctx, addr, body)
	if err != nil {
		return false, fmt.Errorf("dingtalk: %w", err)
	}
	resp, retry, err := notify.Send(n.client, req)
	if err != nil {
		return retry, fmt.Errorf("dingtalk: %w", err)
	}
	if retry, err := notify.VendorResult(resp, codeSendTooFast); err != nil {
		return retry, fmt.Errorf("dingtalk: %w", err)
	}
	return false, nil
}
