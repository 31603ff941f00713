package main

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/client"
	"github.com/warroomhq/warroom/internal/insights"
)

// insightsKinds are the reports, in the order help lists them.
var insightsKinds = []struct{ name, short string }{
	{"incidents", "Incident counts, time to acknowledge, mitigate and resolve, alerts per incident"},
	{"sla", "SLA compliance per severity, and the breaches"},
	{"loss", "Money lost per currency, orders, users and downtime"},
	{"oncall", "Pages per person, out-of-hours pages, pages by hour of week"},
	{"action-items", "Action items open, overdue, done on time, by team"},
	{"changes", "Change failure rate, time to incident and recovery time"},
}

func (c *cli) newInsightsCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "insights",
		Short: "Numbers on incidents: MTTA, MTTR, SLA compliance, loss, on-call load, change failure rate",
		Long: `Every report takes the same filter; docs/insights.md defines each number.
Drills are left out unless --drills include (or only) is given.`,
	})
	for _, k := range insightsKinds {
		cmd.AddCommand(c.newInsightsReportCmd(k.name, k.short))
	}
	return cmd
}

func (c *cli) newInsightsReportCmd(kind, short string) *cobra.Command {
	var (
		from, to, service, team, typ, cause, drills, groupBy string
		severities                                           []string
		asCSV                                                bool
	)
	cmd := &cobra.Command{
		Use:     kind,
		Short:   short,
		Example: "  warroom insights " + kind + " --from 2026-01-01 --to 2026-04-01 --group-by month\n  warroom insights " + kind + " --team payments --csv > " + kind + ".csv",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := url.Values{}
			for name, v := range map[string]string{"from": from, "to": to, "service": service, "team": team, "type": typ, "cause": cause, "drills": drills, "group_by": groupBy} {
				if v != "" {
					q.Set(name, v)
				}
			}
			if len(severities) > 0 {
				q.Set("severity", strings.Join(severities, ","))
			}
			// The same reading as the server's, so that a wrong flag is a
			// usage error before anything is sent.
			if _, err := warroom.ParseInsightsQuery(q, c.now()); err != nil {
				flag := strings.ReplaceAll(warroom.ErrorField(err), "_", "-")
				return usageErrorf("--%s: %s", flag, strings.TrimPrefix(warroom.ErrorMessage(err), warroom.ErrorField(err)+": "))
			}
			report := client.InsightsReport(kind)
			if err := c.client().Insights(cmd.Context(), kind, q, report); err != nil {
				return err
			}
			tables := insights.Tables(report)
			if asCSV && !c.json {
				// One CSV per table, separated by a blank line, so that a
				// report of one table is a plain CSV file.
				for i, t := range tables {
					if len(tables) > 1 && i > 0 {
						if len(t.Rows) == 0 {
							continue
						}
						fmt.Fprintln(c.stdout)
					}
					if err := t.WriteCSV(c.stdout); err != nil {
						return err
					}
				}
				return nil
			}
			return c.output(report, func(w io.Writer) error { return printTables(w, tables) })
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&from, "from", "", "detected at or after (RFC 3339 or date; default 30 days before --to)")
	fl.StringVar(&to, "to", "", "detected before (RFC 3339 or date; default now)")
	fl.StringVar(&service, "service", "", "an affected service, name or ID")
	fl.StringVar(&team, "team", "", "the team owning an affected service")
	fl.StringSliceVar(&severities, "severity", nil, "P0–P4, repeatable or comma-separated")
	fl.StringVar(&typ, "type", "", "incident type")
	fl.StringVar(&cause, "cause", "", "postmortem cause category (human, technical, external, management) or none")
	fl.StringVar(&drills, "drills", "", "include or only; drills are left out by default")
	fl.StringVar(&groupBy, "group-by", "", "week, month, severity, type, service, team or cause")
	fl.BoolVar(&asCSV, "csv", false, "print CSV instead of a table")
	return cmd
}

// printTables prints each table aligned, with its name above it.
func printTables(w io.Writer, tables []insights.Table) error {
	for i, t := range tables {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s\n", strings.ToUpper(strings.ReplaceAll(t.Name, "_", " ")))
		if len(t.Rows) == 0 {
			fmt.Fprintln(w, "(none)")
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, strings.ToUpper(strings.Join(t.Header, "\t")))
		for _, r := range t.Rows {
			fmt.Fprintln(tw, strings.Join(r, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}
