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

func (c *cli) newRouteCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "route",
		Aliases: []string{"routes", "routing"},
		Short:   "Manage the routing rules that turn alerts into incidents",
	})
	cmd.AddCommand(c.newRouteListCmd(), c.newRouteAddCmd(), c.newRouteDeleteCmd(), c.newRouteTestCmd())
	return cmd
}

// parseMatcher reads label=value, label!=value, label=~regexp or label!~regexp.
func parseMatcher(s string) (warroom.Matcher, error) {
	for _, op := range []warroom.MatchOp{warroom.MatchNotRegexp, warroom.MatchRegexp, warroom.MatchNotEqual, warroom.MatchEqual} {
		if f, v, ok := strings.Cut(s, string(op)); ok && f != "" {
			return warroom.Matcher{Field: f, Op: op, Value: v}, nil
		}
	}
	return warroom.Matcher{}, usageErrorf("--match %q: want label=value, label!=value, label=~regexp or label!~regexp", s)
}

// parseLabels reads k=v pairs.
func parseLabels(kvs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usageErrorf("--label %q: want name=value", kv)
		}
		out[k] = v
	}
	return out, nil
}

func (c *cli) newRouteListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list SERVICE",
		Short: "List a service's rules in the order they are tried",
		Args:  args("SERVICE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			rules, err := c.client().FindRoutingRules(cmd.Context(), a[0])
			if err != nil {
				return err
			}
			return c.output(map[string]any{"routing_rules": rules}, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tPOS\tNAME\tMATCH\tOPENS\tGROUPING\tWINDOW")
				for _, r := range rules {
					ms := make([]string, len(r.Matchers))
					for i, m := range r.Matchers {
						ms[i] = m.Field + string(m.Op) + m.Value
					}
					grouping := string(r.Grouping)
					if r.Grouping == warroom.GroupLabels {
						grouping = "by " + strings.Join(r.GroupBy, ",")
					}
					window := "while open"
					if r.Grouping == warroom.GroupNone {
						window = "—"
					} else if r.GroupWindowSeconds > 0 {
						window = (time.Duration(r.GroupWindowSeconds) * time.Second).String()
					}
					fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%v\t%s\t%s\n", r.ID, r.Position, r.Name, strings.Join(ms, " "), r.AutoOpen, grouping, window)
				}
				fmt.Fprintln(tw, "-\t-\tdefault\t(anything else)\ttrue\tupstream\twhile open")
				return tw.Flush()
			})
		},
	}
}

func (c *cli) newRouteAddCmd() *cobra.Command {
	var (
		match, sev, groupBy []string
		noOpen, mitigate    bool
		grouping            string
		window              time.Duration
		position            int
	)
	cmd := &cobra.Command{
		Use:   "add SERVICE NAME",
		Short: "Add a routing rule (admin)",
		Example: `  warroom route add payments "page on critical" --match severity=critical --severity critical=P1 --group-by alertname --window 30m --mitigate
  warroom route add payments "warnings stay quiet" --match .severity=~warning|info --no-open`,
		Args: args("SERVICE", "NAME"),
		RunE: func(cmd *cobra.Command, a []string) error {
			r := &warroom.RoutingRule{Name: a[1], Position: position, AutoOpen: !noOpen, Grouping: warroom.Grouping(grouping), GroupBy: groupBy,
				GroupWindowSeconds: int(window / time.Second), MitigateOnResolve: mitigate, SeverityMap: map[warroom.AlertSeverity]warroom.Severity{}}
			for _, s := range match {
				m, err := parseMatcher(s)
				if err != nil {
					return err
				}
				r.Matchers = append(r.Matchers, m)
			}
			for _, s := range sev {
				k, v, ok := strings.Cut(s, "=")
				if !ok {
					return usageErrorf("--severity %q: want alert=incident, e.g. critical=P1", s)
				}
				r.SeverityMap[warroom.AlertSeverity(k)] = warroom.Severity(strings.ToUpper(v))
			}
			if err := c.client().CreateRoutingRule(cmd.Context(), a[0], r); err != nil {
				return err
			}
			return c.output(r, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Routing rule %q added (ID %d, position %d)\n", r.Name, r.ID, r.Position)
				return err
			})
		},
	}
	cmd.Flags().StringArrayVar(&match, "match", nil, "label=value, !=, =~ or !~; .summary, .source, .severity name the alert's own fields (repeatable; all must match)")
	cmd.Flags().StringSliceVar(&sev, "severity", nil, "alert severity to incident severity, e.g. critical=P1,warning=P3")
	cmd.Flags().BoolVar(&noOpen, "no-open", false, "store matching alerts without opening incidents")
	cmd.Flags().StringVar(&grouping, "grouping", "", "upstream (the sender's own groups: the default), labels (with --group-by) or none (every alert its own incident)")
	cmd.Flags().StringSliceVar(&groupBy, "group-by", nil, "labels whose values group alerts into one incident")
	cmd.Flags().DurationVar(&window, "window", 0, "how long a group stays open to new alerts (default 1h when grouping)")
	cmd.Flags().BoolVar(&mitigate, "mitigate", false, "mitigate the incident when all its alerts resolve")
	cmd.Flags().IntVar(&position, "position", 0, "where the rule goes; 0 puts it last")
	return cmd
}

func (c *cli) newRouteDeleteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "delete ID",
		Short: "Delete a routing rule (admin)",
		Args:  args("ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := parseID(a[0], "routing rule", "")
			if err != nil {
				return err
			}
			if err := c.client().DeleteRoutingRule(cmd.Context(), id); err != nil {
				return err
			}
			return c.output(map[string]any{"deleted": id}, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Routing rule %d deleted\n", id)
				return err
			})
		},
	}
}

func (c *cli) newRouteTestCmd() *cobra.Command {
	var (
		ev     warroom.AlertEvent
		sev    string
		labels []string
	)
	cmd := &cobra.Command{
		Use:     "test SERVICE",
		Short:   "Show which rule an alert would match, without storing anything",
		Example: `  warroom route test payments --summary "disk full" --severity critical --label team=dba`,
		Args:    args("SERVICE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			var err error
			if ev.Labels, err = parseLabels(labels); err != nil {
				return err
			}
			ev.Severity = warroom.AlertSeverity(sev)
			m, err := c.client().MatchRoutingRule(cmd.Context(), a[0], &ev)
			if err != nil {
				return err
			}
			return c.output(m, func(w io.Writer) error {
				name := fmt.Sprintf("%q (ID %d)", m.Rule.Name, m.Rule.ID)
				if m.Default {
					name = "the default rule"
				}
				_, err := fmt.Fprintf(w, "matches %s: severity %s, opens an incident: %v\n", name, m.Severity, m.OpensIncident)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&ev.Summary, "summary", "test alert", "the alert's summary")
	cmd.Flags().StringVar(&ev.Source, "source", "", "the alert's source")
	cmd.Flags().StringVar(&sev, "severity", "error", "critical, error, warning or info")
	cmd.Flags().StringArrayVar(&labels, "label", nil, "name=value (repeatable)")
	return cmd
}
