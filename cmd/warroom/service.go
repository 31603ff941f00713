package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
)

func (c *cli) newServiceCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "service",
		Aliases: []string{"services"},
		Short:   "Manage the service catalog",
	})
	cmd.AddCommand(c.newServiceCreateCmd(), c.newServiceListCmd())
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
