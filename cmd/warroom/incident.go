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

func (c *cli) newIncidentCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "incident",
		Aliases: []string{"incidents", "inc"},
		Short:   "Declare, list, show and work incidents",
		Long: `Declare, list, show and work incidents through the API of the server at
--server, with the API token --token. Incidents are named by their number,
INC-42, or just 42.`,
	})
	cmd.AddCommand(
		c.newDeclareCmd(),
		c.newListCmd(),
		c.newShowCmd(),
		c.newTransitionCmd("ack", warroom.StateAcknowledged, "Acknowledge an incident: someone is on it"),
		c.newTransitionCmd("mitigate", warroom.StateMitigated, "Mark an incident mitigated: the impact has stopped"),
		c.newTransitionCmd("resolve", warroom.StateResolved, "Resolve an incident"),
		c.newTransitionCmd("close", warroom.StateClosed, "Close a resolved incident for good"),
		c.newStateCmd(),
		c.newUpdateCmd(),
		c.newSeverityCmd(),
		c.newNoteCmd(),
		c.newEventsCmd(),
		c.newAssignCmd(),
		c.newUnassignCmd(),
		c.newTaskCmd(),
	)
	return cmd
}

func (c *cli) newDeclareCmd() *cobra.Command {
	var (
		inc        warroom.Incident
		typ, sev   string
		services   []string
		detectedAt string
		impact     impactFlags
	)
	cmd := &cobra.Command{
		Use:   "declare --title TITLE [flags]",
		Short: "Declare an incident; prints the proposed severity and the rule behind it",
		Example: `  warroom incident declare --title "Checkout fails" --type system_crash \
    --service payments --users-affected 12000 --money "20000000 CNY"`,
		Args: args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			fs := cmd.Flags()
			inc.Type = warroom.IncidentType(typ)
			if sev != "" {
				s, err := warroom.ParseSeverity(sev)
				if err != nil {
					return usageErrorf("--severity: %v", err)
				}
				inc.Severity = s
			}
			if _, err := impact.apply(fs, &inc.Impact); err != nil {
				return err
			}
			if detectedAt != "" {
				t, err := parseTime("--detected-at", detectedAt, c.now())
				if err != nil {
					return err
				}
				inc.DetectedAt = t
			}
			ctx := cmd.Context()
			cl := c.client()
			ids, err := serviceIDs(ctx, cl, services)
			if err != nil {
				return err
			}
			inc.ServiceIDs = ids
			if err := cl.DeclareIncident(ctx, &inc); err != nil {
				return err
			}
			return c.output(&inc, func(w io.Writer) error {
				fmt.Fprintf(w, "%s declared: %s\n", inc.Number, severityLine(&inc))
				if inc.SLA != nil {
					fmt.Fprintf(w, "Acknowledge by %s, resolve by %s.\n", inc.SLA.AckDue.UTC().Format(time.RFC3339), inc.SLA.ResolveDue.UTC().Format(time.RFC3339))
				}
				if n := len(inc.Tasks); n > 0 {
					fmt.Fprintf(w, "%d task(s) from the SOP: warroom incident task list %s\n", n, inc.Number)
				}
				return nil
			})
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&inc.Title, "title", "", "what is broken, in one line (required)")
	fs.StringVar(&inc.Summary, "summary", "", "what is known so far")
	fs.StringVar(&typ, "type", string(warroom.TypeOther), "system_crash, data_loss, network_failure, security_breach or other")
	fs.StringVar(&sev, "severity", "", "override the proposed severity (P0–P4); needs --reason")
	fs.StringVar(&inc.SeverityReason, "reason", "", "why the severity differs from the proposal")
	fs.StringSliceVar(&services, "service", nil, "affected service, by name or ID (repeatable)")
	fs.BoolVar(&inc.Drill, "drill", false, "a rehearsal, kept out of real statistics")
	fs.StringVar(&detectedAt, "detected-at", "", "when it was detected, if earlier than now (RFC 3339, or an age such as 30m)")
	impact.register(fs)
	cmd.MarkFlagRequired("title")
	return cmd
}

func (c *cli) newListCmd() *cobra.Command {
	var (
		f                        warroom.IncidentFilter
		states, sevs             []string
		all                      bool
		service, since, until, q string
		typ                      string
	)
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List incidents, most severe then oldest first",
		Example: `  warroom incident list --state open --severity P0,P1
  warroom incident list --since 7d -q checkout`,
		Args: args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			now := c.now()
			for _, s := range states {
				if s == "open" {
					f.States = append(f.States, openStates()...)
					continue
				}
				if s == "all" {
					// Every state, as the web list's "all": no filter.
					all = true
					continue
				}
				if st := warroom.State(strings.ToLower(s)); st.Valid() {
					f.States = append(f.States, st)
					continue
				}
				return usageErrorf("--state: unknown state %q (want open, all or one of %s)", s, stateNames(warroom.States))
			}
			if all {
				f.States = nil
			}
			for _, s := range sevs {
				v, err := warroom.ParseSeverity(s)
				if err != nil {
					return usageErrorf("--severity: %v", err)
				}
				f.Severities = append(f.Severities, v)
			}
			if typ != "" {
				t := warroom.IncidentType(typ)
				f.Type = &t
			}
			if q != "" {
				f.Query = &q
			}
			for _, b := range []struct {
				flag, value string
				dst         **time.Time
			}{{"--since", since, &f.DetectedAfter}, {"--until", until, &f.DetectedBefore}} {
				if b.value == "" {
					continue
				}
				t, err := parseTime(b.flag, b.value, now)
				if err != nil {
					return err
				}
				*b.dst = &t
			}
			ctx := cmd.Context()
			cl := c.client()
			if service != "" {
				ids, err := serviceIDs(ctx, cl, []string{service})
				if err != nil {
					return err
				}
				f.ServiceID = &ids[0]
			}
			incs, total, err := cl.FindIncidents(ctx, f)
			if err != nil {
				return err
			}
			page := listPage[*warroom.Incident]{Items: incs, Key: "incidents", Total: total, Offset: f.Offset, Limit: pageLimit(f.Limit)}
			return c.output(page, func(w io.Writer) error {
				if len(incs) == 0 {
					_, err := fmt.Fprintln(w, "No incidents match.")
					return err
				}
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "NUMBER\tSEV\tSTATE\tAGE\tTITLE\tSLA")
				for _, inc := range incs {
					title := truncate(inc.Title, 60)
					if inc.Drill {
						title = "[drill] " + title
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", inc.Number, inc.Severity, inc.State, age(now.Sub(inc.DetectedAt)), title, slaCell(inc, now))
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				if shown := f.Offset + len(incs); shown < total {
					fmt.Fprintf(w, "%d of %d shown; more with --offset %d\n", len(incs), total, shown)
				}
				return nil
			})
		},
	}
	fs := cmd.Flags()
	fs.StringSliceVar(&states, "state", nil, "state(s), open for every unresolved state or all for every state (repeatable or comma-separated)")
	fs.StringSliceVar(&sevs, "severity", nil, "severity(s), e.g. P0,P1")
	fs.StringVar(&service, "service", "", "affected service, by name or ID")
	fs.StringVar(&typ, "type", "", "incident type")
	fs.StringVar(&since, "since", "", "detected at or after: a time, a date or an age such as 24h or 7d")
	fs.StringVar(&until, "until", "", "detected before: a time, a date or an age")
	fs.StringVarP(&q, "query", "q", "", "words in the title or summary")
	fs.IntVar(&f.Limit, "limit", 0, "at most this many (default 50, max 500)")
	fs.IntVar(&f.Offset, "offset", 0, "skip this many")
	return cmd
}

// openStates are the states of an incident that still needs work.
func openStates() []warroom.State {
	var out []warroom.State
	for _, s := range warroom.States {
		if s.Open() {
			out = append(out, s)
		}
	}
	return out
}
