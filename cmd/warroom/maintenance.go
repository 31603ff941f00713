package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
)

func (c *cli) newSilenceCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "maintenance",
		Short: "Silence a service's alerts for planned work: kept and shown, no incidents",
	})
	cmd.AddCommand(c.newSilenceStartCmd(), c.newSilenceListCmd(), c.newSilenceEndCmd())
	return cmd
}

func (c *cli) newSilenceStartCmd() *cobra.Command {
	var (
		dur    time.Duration
		at     string
		reason string
	)
	cmd := &cobra.Command{
		Use:     "start SERVICE",
		Short:   "Start a maintenance window now (or at --at)",
		Example: `  warroom maintenance start payments --for 2h --reason "database upgrade"`,
		Args:    args("SERVICE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			start := c.now()
			if at != "" {
				t, err := time.Parse(time.RFC3339, at)
				if err != nil {
					return usageErrorf("--at %q: want an RFC 3339 time such as 2025-05-01T22:00:00+08:00", at)
				}
				start = t
			}
			w, err := c.client().CreateMaintenanceWindow(cmd.Context(), a[0], start, start.Add(dur), reason)
			if err != nil {
				return err
			}
			return c.output(w, func(out io.Writer) error {
				_, err := fmt.Fprintf(out, "Maintenance window %d: %s to %s\n", w.ID, w.StartsAt.Local().Format(time.DateTime), w.EndsAt.Local().Format(time.DateTime))
				return err
			})
		},
	}
	cmd.Flags().DurationVar(&dur, "for", time.Hour, "how long")
	cmd.Flags().StringVar(&at, "at", "", "start time (RFC 3339); default now")
	cmd.Flags().StringVar(&reason, "reason", "", "why")
	return cmd
}

func (c *cli) newSilenceListCmd() *cobra.Command {
	var (
		service string
		all     bool
	)
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List current and upcoming maintenance windows",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			after := c.now()
			if all {
				after = time.Time{}
			}
			ws, total, err := c.client().FindMaintenanceWindows(cmd.Context(), service, after)
			if err != nil {
				return err
			}
			p := listPage[*warroom.MaintenanceWindow]{Items: ws, Key: "maintenance_windows", Total: total, Limit: warroom.DefaultPageSize}
			return c.output(p, func(out io.Writer) error {
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSERVICE\tSTARTS\tENDS\tREASON")
				for _, w := range ws {
					fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\n", w.ID, w.ServiceID, w.StartsAt.Local().Format(time.DateTime), w.EndsAt.Local().Format(time.DateTime), truncate(w.Reason, 60))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&service, "service", "", "only this service's windows")
	cmd.Flags().BoolVar(&all, "all", false, "include past windows")
	return cmd
}

func (c *cli) newSilenceEndCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "end ID",
		Short: "End a maintenance window now",
		Args:  args("ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := parseID(a[0], "maintenance window", "")
			if err != nil {
				return err
			}
			w, err := c.client().EndMaintenanceWindow(cmd.Context(), id)
			if err != nil {
				return err
			}
			return c.output(w, func(out io.Writer) error {
				_, err := fmt.Fprintf(out, "Maintenance window %d ended\n", w.ID)
				return err
			})
		},
	}
}
