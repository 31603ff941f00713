package notify_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/notify"
)

// TestRenderDrill checks that every message about a drill is marked in
// both languages, even when a team overrides the page subject.
func TestRenderDrill(t *testing.T) {
	overrides := fstest.MapFS{"en.tmpl": {Data: []byte(`{{define "page.subject"}}{{.Incident.Number}} needs you{{end}}`)}}
	tpl, err := notify.LoadTemplates(overrides)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ locale, mark string }{{"en", "[DRILL]"}, {"zh-CN", "[演练 DRILL]"}} {
		for _, drill := range []bool{true, false} {
			d := notify.Data{Kind: warroom.NotifyPage, Incident: &notify.Incident{Number: "INC-1", Title: "db gone", Severity: "P0", State: "triggered", Drill: drill}}
			got, err := tpl.Render(c.locale, d)
			if err != nil {
				t.Fatal(err)
			}
			marked := strings.HasPrefix(got.Subject, c.mark+" ") && strings.HasPrefix(got.Text, c.mark+" ") && strings.Contains(got.HTML, c.mark)
			if marked != drill {
				t.Errorf("%s drill=%v: subject %q text %q: marked = %v", c.locale, drill, got.Subject, got.Text, marked)
			}
		}
	}
}
