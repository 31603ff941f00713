package drillfile

import (
	"fmt"
	"strings"
	"time"

	"github.com/warroomhq/warroom"
)

// ReportMarkdown writes a drill report as Markdown, the form postmortems
// are exported in, to file with the team's other reviews.
func ReportMarkdown(rep *warroom.DrillReport) []byte {
	var b strings.Builder
	run := rep.Run
	fmt.Fprintf(&b, "# Drill report: %s\n\n", run.Scenario.Name)
	fmt.Fprintf(&b, "- Drill run: %d (%s), scenario `%s`\n", run.ID, run.State, run.ScenarioSlug)
	if run.StartedAt != nil {
		fmt.Fprintf(&b, "- Started: %s\n", run.StartedAt.UTC().Format(time.RFC3339))
	}
	if inc := rep.Incident; inc != nil {
		fmt.Fprintf(&b, "- Incident: %s [DRILL] %s, %s\n", inc.Number, inc.Title, inc.Severity)
	}
	b.WriteString("\n## Times\n\n| Measure | Took | Target | Met |\n|---|---|---|---|\n")
	for _, m := range rep.Measures {
		took := "never"
		if m.Seconds != nil {
			took = (time.Duration(*m.Seconds) * time.Second).String()
		}
		met := "no"
		if m.Met {
			met = "yes"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", m.Name, took, time.Duration(m.TargetSeconds)*time.Second, met)
	}
	b.WriteString("\n## SOP\n\n")
	for _, s := range rep.SOP {
		mark := " "
		if s.Done {
			mark = "x"
		}
		fmt.Fprintf(&b, "- [%s] %s\n", mark, md(s.Title))
	}
	b.WriteString("\n## What the team missed\n\n")
	if len(rep.Missed) == 0 {
		b.WriteString("Nothing.\n")
	}
	for _, m := range rep.Missed {
		fmt.Fprintf(&b, "- %s\n", md(m))
	}
	b.WriteString("\n## Earlier drills\n\n")
	if len(rep.Previous) == 0 {
		b.WriteString("None.\n")
	}
	for _, p := range rep.Previous {
		fmt.Fprintf(&b, "- Run %d (%s, %s): acknowledged in %s, mitigated in %s\n", p.RunID, p.Scenario,
			p.StartedAt.UTC().Format("2006-01-02"), secs(p.AckSeconds), secs(p.MitigateSeconds))
	}
	b.WriteString("\n## Action items\n\n")
	if len(rep.ActionItems) == 0 {
		b.WriteString("None.\n")
	}
	for _, a := range rep.ActionItems {
		fmt.Fprintf(&b, "- %s (%s, due %s, %s)\n", md(a.Title), md(a.OwnerName), a.DueDate.Format("2006-01-02"), a.Status)
	}
	return []byte(b.String())
}

func secs(s *int64) string {
	if s == nil {
		return "never"
	}
	return (time.Duration(*s) * time.Second).String()
}

// md keeps user text from opening Markdown structure of its own.
func md(s string) string {
	return strings.NewReplacer("\n", " ", "|", "\\|", "<", "&lt;", ">", "&gt;").Replace(s)
}
