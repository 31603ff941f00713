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

func (c *cli) newHeartbeatCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "heartbeat",
		Aliases: []string{"heartbeats", "monitor", "monitors"},
		Short:   "Manage heartbeat and flow monitors: alerts when an expected signal stops",
	})
	cmd.AddCommand(c.newHeartbeatCreateCmd(), c.newFlowCreateCmd(), c.newHeartbeatListCmd(), c.newHeartbeatDeleteCmd())
	return cmd
}

func (c *cli) printMonitor(m *warroom.Monitor) error {
	return c.output(m, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "Monitor %s created (ID %d)\ncheck in with: curl -fsS %s/ingest/heartbeat/%s\n",
			m.Name, m.ID, strings.TrimRight(c.cfg.Server, "/"), m.Token)
		return err
	})
}

func (c *cli) newHeartbeatCreateCmd() *cobra.Command {
	var (
		period, grace time.Duration
		sev           string
	)
	cmd := &cobra.Command{
		Use:     "create SERVICE NAME",
		Short:   "Expect a check-in every period; alert when one is late (admin)",
		Example: `  warroom heartbeat create backups "nightly pg backup" --period 24h --grace 1h`,
		Args:    args("SERVICE", "NAME"),
		RunE: func(cmd *cobra.Command, a []string) error {
			m := &warroom.Monitor{Name: a[1], Kind: warroom.MonitorHeartbeat, PeriodSeconds: int(period / time.Second),
				GraceSeconds: int(grace / time.Second), Severity: warroom.AlertSeverity(sev)}
			if err := c.client().CreateMonitor(cmd.Context(), a[0], m); err != nil {
				return err
			}
			return c.printMonitor(m)
		},
	}
	cmd.Flags().DurationVar(&period, "period", time.Hour, "how often a check-in is expected")
	cmd.Flags().DurationVar(&grace, "grace", 5*time.Minute, "how late it may be")
	cmd.Flags().StringVar(&sev, "severity", "critical", "severity of the alert raised")
	return cmd
}

// parseDays reads "1-5" or "1,3,5" (0 is Sunday).
func parseDays(s string) ([]int, error) {
	var days []int
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(strings.TrimSpace(lo))
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(strings.TrimSpace(hi))
		}
		if err1 != nil || err2 != nil || a > b {
			return nil, usageErrorf("--days %q: want days 0 (Sunday) to 6 such as 1-5 or 1,3,5", s)
		}
		for d := a; d <= b; d++ {
			days = append(days, d)
		}
	}
	return days, nil
}

func (c *cli) newFlowCreateCmd() *cobra.Command {
	var (
		window          time.Duration
		days, hours, tz string
		sev             string
		min             int
		match           []string
		calendar        string
	)
	cmd := &cobra.Command{
		Use:   "flow SERVICE NAME",
		Short: "Expect at least N events in every window during business hours (admin)",
		Example: `  warroom heartbeat flow crm "leads dispatched" --min 1 --window 30m --days 1-5 --hours 09:00-18:00 --tz Asia/Shanghai
  warroom heartbeat flow crm "leads dispatched" --min 1 --window 30m --days 1-5 --hours 09:00-18:00 --tz Asia/Shanghai --calendar China
  warroom heartbeat flow shop "orders" --min 1 --window 10m --match alertname=OrderPlaced`,
		Args: args("SERVICE", "NAME"),
		RunE: func(cmd *cobra.Command, a []string) error {
			m := &warroom.Monitor{Name: a[1], Kind: warroom.MonitorFlow, MinEvents: min, WindowSeconds: int(window / time.Second),
				Severity: warroom.AlertSeverity(sev), BusinessHours: warroom.BusinessHours{TimeZone: tz}}
			if days != "" {
				d, err := parseDays(days)
				if err != nil {
					return err
				}
				m.BusinessHours.Days = d
			}
			if calendar != "" {
				id, err := c.calendarID(cmd, calendar)
				if err != nil {
					return err
				}
				m.BusinessHours.CalendarID = id
			}
			if hours != "" {
				start, end, ok := strings.Cut(hours, "-")
				if !ok {
					return usageErrorf("--hours %q: want HH:MM-HH:MM", hours)
				}
				m.BusinessHours.Start, m.BusinessHours.End = start, end
			}
			for _, s := range match {
				mt, err := parseMatcher(s)
				if err != nil {
					return err
				}
				m.Matchers = append(m.Matchers, mt)
			}
			if err := c.client().CreateMonitor(cmd.Context(), a[0], m); err != nil {
				return err
			}
			return c.printMonitor(m)
		},
	}
	cmd.Flags().IntVar(&min, "min", 1, "events expected in every window")
	cmd.Flags().DurationVar(&window, "window", 10*time.Minute, "window length")
	cmd.Flags().StringVar(&days, "days", "", "days watched, 0 (Sunday) to 6, e.g. 1-5; default every day")
	cmd.Flags().StringVar(&hours, "hours", "", "hours watched, e.g. 09:00-18:00; default all day")
	cmd.Flags().StringVar(&tz, "tz", "UTC", "time zone of the hours")
	cmd.Flags().StringVar(&calendar, "calendar", "", "working calendar to follow (name or ID): watch its make-up workdays, skip its holidays")
	cmd.Flags().StringVar(&sev, "severity", "critical", "severity of the alert raised")
	cmd.Flags().StringArrayVar(&match, "match", nil, "count alerts matching label=value instead of check-ins (repeatable)")
	return cmd
}

func (c *cli) newHeartbeatListCmd() *cobra.Command {
	var service string
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List monitors",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ms, total, err := c.client().FindMonitors(cmd.Context(), service, 0, warroom.MaxPageSize)
			if err != nil {
				return err
			}
			p := listPage[*warroom.Monitor]{Items: ms, Key: "monitors", Total: total, Limit: warroom.MaxPageSize}
			return c.output(p, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSERVICE\tNAME\tKIND\tSTATUS\tLAST CHECK-IN")
				for _, m := range ms {
					last := "never"
					if m.LastCheckInAt != nil {
						last = age(c.now().Sub(*m.LastCheckInAt)) + " ago"
					}
					fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\n", m.ID, m.ServiceID, m.Name, m.Kind, m.Status, last)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&service, "service", "", "only this service's monitors")
	return cmd
}

func (c *cli) newHeartbeatDeleteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "delete ID",
		Short: "Delete a monitor and resolve its alert (admin)",
		Args:  args("ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := parseID(a[0], "monitor", "")
			if err != nil {
				return err
			}
			if err := c.client().DeleteMonitor(cmd.Context(), id); err != nil {
				return err
			}
			return c.output(map[string]any{"deleted": id}, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Monitor %d deleted\n", id)
				return err
			})
		},
	}
}
