package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
)

func (c *cli) newAlertCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "alert",
		Aliases: []string{"alerts"},
		Short:   "List and resolve alerts",
	})
	cmd.AddCommand(c.newAlertListCmd(), c.newAlertResolveCmd())
	return cmd
}

func (c *cli) newAlertListCmd() *cobra.Command {
	var (
		service, q string
		statuses   []string
		f          warroom.AlertFilter
	)
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List alerts, newest first",
		Example: `  warroom alert list --service payments --status firing`,
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, s := range statuses {
				f.Statuses = append(f.Statuses, warroom.AlertStatus(s))
			}
			if q != "" {
				f.Query = &q
			}
			as, total, err := c.client().FindAlerts(cmd.Context(), service, f)
			if err != nil {
				return err
			}
			p := listPage[*warroom.Alert]{Items: as, Key: "alerts", Total: total, Offset: f.Offset, Limit: pageLimit(f.Limit)}
			return c.output(p, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSTATUS\tSEVERITY\tCOUNT\tINCIDENT\tLAST SEEN\tSUMMARY")
				for _, a := range as {
					inc := "-"
					if a.IncidentID != nil {
						inc = warroom.FormatNumber(*a.IncidentID)
					} else if a.Suppressed {
						inc = "maintenance"
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s ago\t%s\n", a.ID, a.Status, a.Severity, a.Occurrences, inc,
						age(c.now().Sub(a.LastSeenAt)), truncate(a.Summary, 70))
				}
				if total > warroom.AlertCountLimit {
					fmt.Fprintf(tw, "%d of more than %d\n", len(as), warroom.AlertCountLimit)
				} else {
					fmt.Fprintf(tw, "%d of %d\n", len(as), total)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&service, "service", "", "only this service's alerts")
	cmd.Flags().StringSliceVar(&statuses, "status", nil, "firing, acknowledged, resolved (repeatable)")
	cmd.Flags().StringVarP(&q, "query", "q", "", "text in the summary or the dedup key (any part, any case)")
	cmd.Flags().IntVar(&f.Limit, "limit", 50, "how many")
	return cmd
}

func (c *cli) newAlertResolveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "resolve ID",
		Short: "Resolve an alert by hand",
		Args:  args("ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := parseID(a[0], "alert", "")
			if err != nil {
				return err
			}
			al, err := c.client().ResolveAlert(cmd.Context(), id)
			if err != nil {
				return err
			}
			return c.output(al, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Alert %d resolved: %s\n", al.ID, al.Summary)
				return err
			})
		},
	}
}
