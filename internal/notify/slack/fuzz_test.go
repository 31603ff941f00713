package slack_test

import (
	"strings"
	"testing"

	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/notifytest"
	"github.com/warroomhq/warroom/internal/notify/slack"
)

var unescape = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// FuzzBuild: no subject or text can mention a channel or disguise a link
// in the mrkdwn Slack parses, the text reads as it was written, and
// warroom's buttons keep their URLs.
func FuzzBuild(f *testing.F) {
	for _, s := range notifytest.Seeds {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, subject, text string) {
		p := slack.Build(&notify.Message{Subject: subject, Text: text, Links: notifytest.Links})
		if err := notifytest.InertSlack(p.Text); err != nil {
			t.Errorf("fallback text: %v", err)
		}
		section := p.Blocks[1].Text.Text
		if err := notifytest.InertSlack(section); err != nil {
			t.Errorf("section: %v", err)
		}
		if got := unescape.Replace(section); len([]rune(text)) <= 3000 && got != text {
			t.Errorf("section reads %q, want %q", got, text)
		}
		if len([]rune(section)) > 3000 {
			t.Errorf("section is %d runes, over Slack's 3000", len([]rune(section)))
		}
		els := p.Blocks[2].Elements
		if len(els) != 2 || els[0].URL != notifytest.Links[0].URL || els[1].URL != notifytest.Links[1].URL {
			t.Errorf("buttons: %+v", els)
		}
	})
}

func TestBuild_Escapes(t *testing.T) {
	p := slack.Build(&notify.Message{Subject: "a & b", Text: "<!channel> see <https://evil|reset creds>"})
	if want := "&lt;!channel&gt; see &lt;https://evil|reset creds&gt;"; p.Blocks[1].Text.Text != want {
		t.Errorf("section %q, want %q", p.Blocks[1].Text.Text, want)
	}
	if p.Text != "a &amp; b" || p.Blocks[0].Text.Text != "a & b" {
		t.Errorf("fallback %q header %q; want the fallback escaped, the plain_text header not", p.Text, p.Blocks[0].Text.Text)
	}
	long := strings.Repeat("<", 2000)
	if got := slack.Build(&notify.Message{Text: long}).Blocks[1].Text.Text; !strings.HasSuffix(got, "&lt;…") || len([]rune(got)) > 3000 {
		t.Errorf("a long escaped text is cut inside an entity or over the limit: …%q (%d runes)", got[len(got)-12:], len([]rune(got)))
	}
}
