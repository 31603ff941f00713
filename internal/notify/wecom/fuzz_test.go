package wecom_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/notifytest"
	"github.com/warroomhq/warroom/internal/notify/wecom"
)

// FuzzBuild: no subject or text can create a link, image, tag or mention
// in the Markdown the robot renders, and warroom's own links are there
// once each, unchanged.
func FuzzBuild(f *testing.F) {
	for _, s := range notifytest.Seeds {
		f.Add(s, s)
	}
	var links []string
	for _, l := range notifytest.Links {
		links = append(links, fmt.Sprintf("[%s](%s)", l.Label, l.URL))
	}
	f.Fuzz(func(t *testing.T, subject, text string) {
		p := wecom.Build(&notify.Message{Subject: subject, Text: text, Links: notifytest.Links})
		out := p.Markdown.Content
		if err := notifytest.InertMarkdown(out, append(links, `<font color="warning">`, "</font>")...); err != nil {
			t.Error(err)
		}
		for _, l := range links {
			if n := strings.Count(out, l); n != 1 {
				t.Errorf("link %s appears %d times in %q", l, n, out)
			}
		}
	})
}
