package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
)

// briefEvents is how many recent events the brief shows.
const briefEvents = 10

func (c *cli) newShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show INC",
		Short: "Show an incident's brief: state, severity and why, impact, SLA, roles, tasks, latest events",
		Long: `Show the live brief of an incident: everything a newcomer needs to catch
up in one page.`,
		Args: args("INC"),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			cl := c.client()
			inc, err := cl.FindIncidentByID(ctx, a[0])
			if err != nil {
				return err
			}
			if c.json {
				return c.printJSON(inc)
			}
			events, total, err := cl.FindEvents(ctx, a[0], warroom.EventFilter{Limit: briefEvents})
			if err != nil {
				return err
			}
			return c.writeBrief(c.stdout, inc, events, total)
		},
	}
}

// writeBrief renders the incident brief.
func (c *cli) writeBrief(w io.Writer, inc *warroom.Incident, events []*warroom.Event, totalEvents int) error {
	now := c.now()
	title := inc.Title
	if inc.Drill {
		title = "[DRILL] " + title
	}
	fmt.Fprintf(w, "%s  %s\n\n", inc.Number, title)

	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	state := string(inc.State)
	if next := inc.State.NextStates(); len(next) > 0 {
		state += " (next: " + stateNames(next) + ")"
	}
	fmt.Fprintf(tw, "State:\t%s\n", state)
	fmt.Fprintf(tw, "Severity:\t%s\n", severityLine(inc))
	fmt.Fprintf(tw, "Type:\t%s\n", inc.Type)
	if len(inc.Services) > 0 {
		names := make([]string, len(inc.Services))
		for i, s := range inc.Services {
			names[i] = s.Name
		}
		fmt.Fprintf(tw, "Services:\t%s\n", strings.Join(names, ", "))
	}
	fmt.Fprintf(tw, "Impact:\t%s\n", impactLine(inc.Impact))
	if l := lossLine(inc.Loss); l != "" {
		fmt.Fprintf(tw, "Loss:\t%s\n", l)
	}
	fmt.Fprintf(tw, "Detected:\t%s (%s ago)\n", inc.DetectedAt.UTC().Format(time.RFC3339), age(now.Sub(inc.DetectedAt)))
	for _, st := range []struct {
		name string
		at   *time.Time
	}{{"Acknowledged", inc.AcknowledgedAt}, {"Mitigated", inc.MitigatedAt}, {"Resolved", inc.ResolvedAt}, {"Closed", inc.ClosedAt}} {
		if st.at != nil {
			fmt.Fprintf(tw, "%s:\t%s (%s after detection)\n", st.name, st.at.UTC().Format(time.RFC3339), age(st.at.Sub(inc.DetectedAt)))
		}
	}
	if s := inc.SLA; s != nil {
		fmt.Fprintf(tw, "SLA acknowledge:\t%s\n", dueLine(s.AckDue, inc.AcknowledgedAt, s.AckBreached, now))
		fmt.Fprintf(tw, "SLA resolve:\t%s\n", dueLine(s.ResolveDue, inc.ResolvedAt, s.ResolveBreached, now))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	if strings.TrimSpace(inc.Summary) != "" {
		fmt.Fprintf(w, "\nSummary:\n%s\n", indent(inc.Summary))
	}

	fmt.Fprintln(w, "\nRoles:")
	if len(inc.Roles) == 0 {
		fmt.Fprintln(w, "  none assigned (warroom incident assign "+inc.Number+" commander me)")
	}
	for _, r := range inc.Roles {
		fmt.Fprintf(w, "  %-16s %s (since %s)\n", r.Role, r.UserName, r.AssignedAt.UTC().Format(time.RFC3339))
	}

	fmt.Fprintln(w, "\nTasks:")
	if len(inc.Tasks) == 0 {
		fmt.Fprintln(w, "  none")
	}
	writeTasks(w, inc.Tasks)

	fmt.Fprintf(w, "\nLatest events (%d of %d):\n", len(events), totalEvents)
	// The API returns newest first; a timeline reads oldest first.
	chrono := make([]*warroom.Event, len(events))
	for i, e := range events {
		chrono[len(events)-1-i] = e
	}
	return writeEvents(w, chrono)
}

// writeTasks prints a checklist with the task IDs the task commands take.
func writeTasks(w io.Writer, tasks []*warroom.Task) {
	for _, t := range tasks {
		box := "[ ]"
		if t.Done {
			box = "[x]"
		}
		fmt.Fprintf(w, "  %s #%d %s\n", box, t.ID, t.Title)
	}
}

// writeEvents prints timeline lines in the order given, aligned.
func writeEvents(w io.Writer, events []*warroom.Event) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, e := range events {
		actor := e.ActorName
		if actor == "" {
			actor = "system"
		}
		kind := string(e.Kind)
		if e.Visibility == warroom.VisibilityPublic {
			kind += " (public)"
		}
		// Some kinds carry their details in Data alone (an impact update
		// records the numbers, not a sentence).
		text := e.Text
		if strings.TrimSpace(text) == "" && len(e.Data) > 0 {
			text = string(e.Data)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", e.At.UTC().Format("2006-01-02 15:04:05"), kind, actor, truncate(text, 200))
	}
	return tw.Flush()
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}
