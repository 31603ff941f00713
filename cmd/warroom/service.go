package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
)

func (c *cli) newServiceCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "service",
		Aliases: []string{"services"},
		Short:   "Manage the service catalog",
	})
	cmd.AddCommand(c.newServiceCreateCmd(), c.newServiceListCmd(), c.newServiceAlertsCmd())
	return cmd
}

func (c *cli) newServiceCreateCmd() *cobra.Command {
	var s warroom.Service
	cmd := &cobra.Command{
		Use:     "create NAME",
		Short:   "Add a service (admin)",
		Example: `  warroom service create payments --team payments-sre --tier 1`,
		Args:    args("NAME"),
		RunE: func(cmd *cobra.Command, a []string) error {
			s.Name = a[0]
			if err := c.client().CreateService(cmd.Context(), &s); err != nil {
				return err
			}
			return c.output(&s, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Service %s created (ID %d, tier %d)\n", s.Name, s.ID, s.Tier)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&s.Team, "team", "", "owning team")
	cmd.Flags().StringVar(&s.Description, "description", "", "what it does")
	cmd.Flags().IntVar(&s.Tier, "tier", 3, "criticality: 1 (most critical) to 4")
	return cmd
}

func (c *cli) newServiceListCmd() *cobra.Command {
	var (
		f       warroom.ServiceFilter
		team, q string
	)
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List services by name",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if team != "" {
				f.Team = &team
			}
			if q != "" {
				f.Query = &q
			}
			services, total, err := c.client().FindServices(cmd.Context(), f)
			if err != nil {
				return err
			}
			page := listPage[*warroom.Service]{Items: services, Key: "services", Total: total, Offset: f.Offset, Limit: pageLimit(f.Limit)}
			return c.output(page, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tTEAM\tTIER\tDESCRIPTION")
				for _, s := range services {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\n", s.ID, s.Name, s.Team, s.Tier, truncate(s.Description, 60))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&team, "team", "", "only this team's services")
	cmd.Flags().StringVarP(&q, "query", "q", "", "words in the name or description")
	cmd.Flags().IntVar(&f.Limit, "limit", 0, "at most this many (default 50, max 500)")
	cmd.Flags().IntVar(&f.Offset, "offset", 0, "skip this many")
	return cmd
}

func (c *cli) newServiceAlertsCmd() *cobra.Command {
	var (
		resolve      bool
		flap, storm  string
		keepOpenFlag bool
	)
	cmd := &cobra.Command{
		Use:   "alerts NAME",
		Short: "Show or set what a service's alerts do to its incidents: resolving, flap detection, the storm guard (admin to set)",
		Example: `  warroom service alerts payments
  warroom service alerts payments --storm 50/5m --flap 5/1h
  warroom service alerts payments --keep-open     # resolved alerts leave the incident for a person
  warroom service alerts payments --storm off`,
		Args: args("NAME"),
		RunE: func(cmd *cobra.Command, a []string) error {
			s, err := c.client().FindServiceByName(cmd.Context(), a[0])
			if err != nil {
				return err
			}
			h := *s.AlertHandling
			changed := false
			if cmd.Flags().Changed("resolve-incidents") {
				h.ResolveIncidents, changed = resolve, true
			}
			if keepOpenFlag {
				h.ResolveIncidents, changed = false, true
			}
			for _, f := range []struct {
				flag, value string
				n, secs     *int
			}{{"flap", flap, &h.FlapThreshold, &h.FlapWindowSeconds}, {"storm", storm, &h.StormThreshold, &h.StormWindowSeconds}} {
				if !cmd.Flags().Changed(f.flag) {
					continue
				}
				n, secs, err := parseRate(f.value)
				if err != nil {
					return usageErrorf("--%s: %v", f.flag, err)
				}
				*f.n, *f.secs, changed = n, secs, true
			}
			if changed {
				if s, err = c.client().UpdateService(cmd.Context(), s.ID, warroom.ServiceUpdate{AlertHandling: &h}); err != nil {
					return err
				}
			}
			return c.output(s, func(w io.Writer) error {
				h := s.AlertHandling
				resolves := "resolve the incident when the last one resolves"
				if !h.ResolveIncidents {
					resolves = "leave the incident open for a person when the last one resolves (escalation stops)"
				}
				fmt.Fprintf(w, "Alerts on %s %s.\n", s.Name, resolves)
				fmt.Fprintf(w, "Flap detection: %s\n", rate(h.FlapThreshold, h.FlapWindowSeconds, "a key that fires more than %d times within %s is flapping and pages nobody"))
				fmt.Fprintf(w, "Storm guard:    %s\n", rate(h.StormThreshold, h.StormWindowSeconds, "after %d incidents opened by alerts within %s, further alerts join one storm incident"))
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&resolve, "resolve-incidents", true, "resolve an alert-opened incident once all its alerts resolved")
	cmd.Flags().BoolVar(&keepOpenFlag, "keep-open", false, "same as --resolve-incidents=false")
	cmd.Flags().StringVar(&flap, "flap", "", "more than N fires of one key within DURATION is flapping, as N/DURATION (e.g. 5/1h), or off")
	cmd.Flags().StringVar(&storm, "storm", "", "after N alert-opened incidents within DURATION, alerts join one storm incident, as N/DURATION (e.g. 20/5m), or off")
	return cmd
}

// parseRate reads N/DURATION, or "off" as 0/0.
func parseRate(s string) (n, seconds int, err error) {
	if strings.EqualFold(strings.TrimSpace(s), "off") {
		return 0, 0, nil
	}
	count, window, ok := strings.Cut(s, "/")
	if !ok {
		return 0, 0, fmt.Errorf("want N/DURATION such as 20/5m, or off; got %q", s)
	}
	if n, err = strconv.Atoi(strings.TrimSpace(count)); err != nil || n < 1 {
		return 0, 0, fmt.Errorf("the count must be a whole number of at least 1, got %q", count)
	}
	d, err := time.ParseDuration(strings.TrimSpace(window))
	if err != nil || d < time.Second || d%time.Second != 0 {
		return 0, 0, fmt.Errorf("the window must be a duration of whole seconds such as 5m or 1h, got %q", window)
	}
	return n, int(d / time.Second), nil
}

func rate(n, seconds int, format string) string {
	if n == 0 {
		return "off"
	}
	return fmt.Sprintf(format, n, time.Duration(seconds)*time.Second)
}
