package teams_test

import (
	"testing"

	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/notifytest"
	"github.com/warroomhq/warroom/internal/notify/teams"
)

// FuzzBuild: no subject or text can create a Markdown link or a mention in
// the card's TextBlocks, what they say reads as written, and warroom's
// links are the card's actions.
func FuzzBuild(f *testing.F) {
	for _, s := range notifytest.Seeds {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, subject, text string) {
		c := teams.Build(&notify.Message{Subject: subject, Text: text, Links: notifytest.Links}).Attachments[0].Content
		for i, in := range []string{subject, text} {
			if err := notifytest.InertMarkdown(c.Body[i].Text); err != nil {
				t.Errorf("text block %d: %v", i, err)
			}
			if got := notifytest.Visible(c.Body[i].Text); got != notifytest.Visible(in) {
				t.Errorf("text block %d reads %q, want %q", i, got, in)
			}
		}
		if len(c.Actions) != 2 || c.Actions[0].URL != notifytest.Links[0].URL || c.Actions[1].URL != notifytest.Links[1].URL {
			t.Errorf("actions: %+v", c.Actions)
		}
	})
}
