package export_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/export"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func at(h, m int) *time.Time {
	t := time.Date(2026, 3, 2, h, m, 0, 0, time.UTC)
	return &t
}

// sample is a filled postmortem as the service returns it, with text that
// must be escaped in both formats.
func sample() *warroom.Postmortem {
	inc := &warroom.Incident{ID: 42, Number: "INC-42", Title: "两万多张 ETC 卡被误拉黑", Severity: warroom.P1, Type: warroom.TypeSystemCrash,
		Services: []*warroom.Service{{Name: "etc-billing"}}, DetectedAt: *at(1, 0), AcknowledgedAt: at(1, 10), MitigatedAt: at(2, 40), ResolvedAt: at(4, 0),
		Impact: warroom.Impact{UsersAffected: 20000, MoneyAffected: warroom.Money{Amount: 20000000, Currency: "CNY"}},
		Loss:   warroom.Loss{MoneyLost: warroom.Money{Amount: 20000000, Currency: "CNY"}, DowntimeMinutes: 180, Note: "compensation to partners"}}
	due := time.Date(2026, 3, 9, 4, 0, 0, 0, time.UTC)
	return &warroom.Postmortem{ID: 7, IncidentID: 42, Status: warroom.PostmortemPublished, AuthorName: "Ana", DueAt: &due, PublishedAt: at(9, 30),
		Summary: "An untested fix went live and <script>alert(1)</script> blacklisted cards | trucks queued.", CauseCategory: warroom.CauseManagement,
		CauseSubcategory: "change_control", ContributingFactors: []string{"no test report required", "no rollback plan"},
		WentWell: "Rollback took 20 minutes.", WentBadly: "Nobody reviewed the release.", GotLucky: "It happened at night.", Lessons: "Every release needs a test report.",
		Incident: inc, KeyMoments: warroom.KeyMoments(inc),
		Timeline: []*warroom.TimelineEntry{
			{EventID: 1, At: *at(1, 0), Kind: warroom.EventDeclared, Actor: "Ana", Text: "ETC cards blacklisted", Moment: warroom.MomentDetected},
			{EventID: 2, At: *at(2, 40), Kind: warroom.EventStateChanged, Actor: "Bo", Text: "rolled back\nthe release", Moment: warroom.MomentMitigated},
		},
		Whys: []*warroom.Why{
			{ID: 1, Position: 1, Question: "Why were cards blacklisted?", Answer: "The fix triggered the blacklist path.", Evidence: "release diff"},
			{ID: 2, Position: 2, Question: "Why did the fix go live untested?", Answer: "Releases needed no test report."},
		},
		ActionItems: []*warroom.ActionItem{{ID: 3, Title: "Require a test report for every release", OwnerName: "Bo", DueDate: due, Priority: warroom.PriorityHigh, Kind: warroom.ActionProcess, Status: warroom.ActionOpen}},
		Reviews:     []*warroom.Review{{UserName: "Cy", Decision: warroom.ReviewApproved, Comment: "clear"}},
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name   string
		render func(*warroom.Postmortem) ([]byte, error)
	}{{"postmortem.md", export.Markdown}, {"postmortem.html", export.HTML}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.render(sample())
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.name)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if string(got) != string(want) {
				t.Errorf("%s differs from the golden file; run go test -update and review the diff\ngot:\n%s", tc.name, got)
			}
		})
	}
}

func TestEscaping(t *testing.T) {
	h, err := export.HTML(sample())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(h), "<script>alert") {
		t.Errorf("HTML export does not escape the summary")
	}
	md, _ := export.Markdown(sample())
	if !strings.Contains(string(md), `rolled back the release`) {
		t.Errorf("a newline in a timeline entry breaks the Markdown table")
	}
	if _, err := export.Markdown(&warroom.Postmortem{}); err == nil {
		t.Errorf("a postmortem without its incident rendered")
	}
}
