// Package notifytest checks what chat channels build from text nobody at
// warroom wrote: that it can no longer mention anyone or link anywhere.
// The checks look for the constructs themselves, not for the escaping that
// defuses them, so they catch a channel that forgot to escape a field.
package notifytest

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/warroomhq/warroom/internal/notify"
)

// Links are the links a fuzzed message carries, as warroom adds them.
var Links = []notify.Link{{Label: "Acknowledge", URL: "https://warroom.test/l/ack"}, {Label: "Resolve", URL: "https://warroom.test/l/resolve"}}

// markdownActive matches what starts a link, image, reference, autolink,
// HTML tag, mention or entity in the chat Markdown dialects:
// "](", "][", "]:", "<x", "</", "<!", "<@", "<#", "@name", "&name;".
var markdownActive = regexp.MustCompile(`\]\(|\]\[|\]:|<[A-Za-z/!@#?]|@[\p{L}\p{N}_]|&[A-Za-z#]`)

// InertMarkdown returns an error when s still holds an active construct
// once the strings warroom itself wrote (its links, its own tags) are
// taken out.
func InertMarkdown(s string, own ...string) error {
	for _, o := range own {
		s = strings.ReplaceAll(s, o, "")
	}
	if loc := markdownActive.FindStringIndex(s); loc != nil {
		return fmt.Errorf("active construct %q at %d in %q", s[loc[0]:loc[1]], loc[0], s)
	}
	return nil
}

// InertSlack returns an error when s, Slack mrkdwn, holds an angle bracket
// (the start of <!channel>, <@U…> and <url|text>) or an ampersand that does
// not start one of the three entities Slack decodes.
func InertSlack(s string) error {
	if i := strings.IndexAny(s, "<>"); i >= 0 {
		return fmt.Errorf("angle bracket at %d in %q", i, s)
	}
	for i := strings.IndexByte(s, '&'); i >= 0; {
		rest := s[i:]
		if !strings.HasPrefix(rest, "&amp;") && !strings.HasPrefix(rest, "&lt;") && !strings.HasPrefix(rest, "&gt;") {
			return fmt.Errorf("bare ampersand at %d in %q", i, s)
		}
		j := strings.IndexByte(s[i+1:], '&')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return nil
}

// Visible returns s as a reader sees it: without the joiners escaping
// adds.
func Visible(s string) string { return strings.ReplaceAll(s, notify.Joiner, "") }

// Seeds are inputs every fuzz target starts from: the constructs of every
// dialect.
var Seeds = []string{
	"<!channel> <!here> <@U123> <#C123> <https://evil.example|reset your password>",
	"[reset creds](https://evil.example) ![x](https://evil.example/t.png) [a][b]\n[b]: https://evil.example",
	"@all @channel @here @everyone <at user_id=\"all\">all</at> <@userid>",
	"<https://evil.example> <a href=\"https://evil.example\">x</a> <font color=\"warning\">x</font>",
	"&lt;!channel&gt; &#60;at&#62; &amp;",
	"plain text, a bare URL https://example.com/x?a=1&b=2 and 支付失败",
}

// FuzzMarkdown is the fuzz target of a channel that renders Markdown links
// as [label](url): no subject or text can create a link, image, tag or
// mention in what render returns, and warroom's own links are there once
// each, unchanged. own lists the channel's own markup besides the links.
func FuzzMarkdown(f *testing.F, render func(*notify.Message) string, own ...string) {
	for _, s := range Seeds {
		f.Add(s, s)
	}
	var links []string
	for _, l := range Links {
		links = append(links, fmt.Sprintf("[%s](%s)", l.Label, l.URL))
	}
	f.Fuzz(func(t *testing.T, subject, text string) {
		out := render(&notify.Message{Subject: subject, Text: text, Links: Links})
		if err := InertMarkdown(out, append(own, links...)...); err != nil {
			t.Error(err)
		}
		for _, l := range links {
			if n := strings.Count(out, l); n != 1 {
				t.Errorf("link %s appears %d times in %q", l, n, out)
			}
		}
	})
}
