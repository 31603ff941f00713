package feishu_test

import (
	"testing"

	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/feishu"
	"github.com/warroomhq/warroom/internal/notify/notifytest"
)

// FuzzBuild: no subject or text can mention anyone or become a link in the
// rich text post; the only "a" elements are warroom's links.
func FuzzBuild(f *testing.F) {
	for _, s := range notifytest.Seeds {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, subject, text string) {
		p := feishu.Build(&notify.Message{Subject: subject, Text: text, Links: notifytest.Links})
		var hrefs []string
		for _, post := range p.Content.Post {
			for _, line := range post.Content {
				for _, e := range line {
					switch e.Tag {
					case "text":
						if err := notifytest.InertMarkdown(e.Text); err != nil {
							t.Error(err)
						}
					case "a":
						hrefs = append(hrefs, e.Href)
					default:
						t.Errorf("element %+v", e)
					}
				}
			}
		}
		if len(hrefs) != 2 || hrefs[0] != notifytest.Links[0].URL || hrefs[1] != notifytest.Links[1].URL {
			t.Errorf("links %q, want warroom's", hrefs)
		}
	})
}
