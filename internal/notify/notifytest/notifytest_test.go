package notifytest_test

import (
	"strings"
	"testing"

	"github.com/warroomhq/warroom/internal/notify"
	"github.com/warroomhq/warroom/internal/notify/notifytest"
)

// TestChecks: the checks find every construct in the seeds as written, and
// none once they are escaped; a check that passes anything proves nothing.
func TestChecks(t *testing.T) {
	for _, s := range notifytest.Seeds[:len(notifytest.Seeds)-1] {
		if notifytest.InertMarkdown(s) == nil {
			t.Errorf("InertMarkdown(%q) = nil, want an active construct", s)
		}
		if err := notifytest.InertMarkdown(notify.EscapeMarkdown(s)); err != nil {
			t.Errorf("escaped: %v", err)
		}
		if got := notifytest.Visible(notify.EscapeMarkdown(s)); got != s {
			t.Errorf("escaped reads %q, want %q", got, s)
		}
		// Markdown links mean nothing to mrkdwn.
		if strings.ContainsAny(s, "<&") && notifytest.InertSlack(s) == nil {
			t.Errorf("InertSlack(%q) = nil, want an active construct", s)
		}
		if err := notifytest.InertSlack(notify.EscapeSlack(s)); err != nil {
			t.Errorf("escaped: %v", err)
		}
	}
	if err := notifytest.InertMarkdown("see [Ack](https://w/a)", "[Ack](https://w/a)"); err != nil {
		t.Errorf("warroom's own link: %v", err)
	}
}
