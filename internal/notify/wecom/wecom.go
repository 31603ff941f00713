// Package wecom posts notifications to a WeCom (企业微信) group robot as a
// Markdown message (https://developer.work.weixin.qq.com/document/path/91770).
// The robot's key in the URL is its only credential.
package wecom

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/warroomhq/warroom/internal/notify"
)

// WeCom's limits: Markdown content is at most 4096 bytes; 45009 is its
// rate-limit code (20 messages a minute).
const (
	maxContent        = 4096
	codeFrequencyHigh = 45009
)

// Notifier posts to WeCom group robots.
type Notifier struct{ client *http.Client }

// New returns a notifier using client.
func New(client *http.Client) *Notifier { return &Notifier{client: client} }

// Payload is the robot body.
type Payload struct {
	MsgType  string `json:"msgtype"`
	Markdown struct {
		Content string `json:"content"`
	} `json:"markdown"`
}

// Build returns the payload for msg: the subject and text escaped, then
// warroom's own links.
func Build(msg *notify.Message) Payload {
	var links strings.Builder
	for i, l := range msg.Links {
		if i > 0 {
			links.WriteString("  ")
		}
		fmt.Fprintf(&links, "[%s](%s)", notify.LinkLabel(l.Label), l.URL)
	}
	head := `**<font color="warning">` + notify.EscapeMarkdown(strings.ReplaceAll(msg.Subject, "\n", " ")) + "</font>**\n"
	tail := ""
	if links.Len() > 0 {
		tail = "\n" + links.String()
	}
	text := notify.EscapeMarkdown(msg.Text)
	// Cut the text, never the links: they are what the reader acts on.
	if budget := maxContent - len(head) - len(tail) - len("…"); len(text) > budget {
		cut := max(budget, 0)
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		// Nor between an escaped character and its joiner.
		if cut > 0 && notify.IsMarkdownOpener(text[cut-1]) {
			cut--
		}
		text = text[:cut] + "…"
	}
	var p Payload
	p.MsgType = "markdown"
	p.Markdown.Content = head + text + tail
	return p
}

// Notify implements notify.Notifier.
func (n *Notifier) Notify(ctx context.Context, msg *notify.Message) (bool, error) {
	body, err := json.Marshal(Build(msg))
	if err != nil {
		return false, fmt.Errorf("wecom: %w", err)
	}
	req, err := notify.NewRequest(ctx, msg.To.Address, body)
	if err != nil {
		return false, fmt.Errorf("wecom: %w", err)
	}
	resp, retry, err := notify.Send(n.client, req)
	if err != nil {
		return retry, fmt.Errorf("wecom: %w", err)
	}
	if retry, err := notify.VendorResult(resp, codeFrequencyHigh); err != nil {
		return retry, fmt.Errorf("wecom: %w", err)
	}
	return false, nil
}
