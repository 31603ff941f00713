package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
)

func (c *cli) newApprovalCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "approval",
		Aliases: []string{"approvals"},
		Short:   "Decide two-person rule requests: a second admin approves what one asked for",
	})
	cmd.AddCommand(c.newApprovalListCmd(), c.newApprovalDecideCmd(true), c.newApprovalDecideCmd(false))
	return cmd
}

func (c *cli) newApprovalListCmd() *cobra.Command {
	var (
		f     warroom.ApprovalFilter
		state string
	)
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List requests, pending ones by default (--state all for every one) (admin)",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch st := warroom.ApprovalState(state); st {
			case "all":
			case warroom.ApprovalPending, warroom.ApprovalExecuted, warroom.ApprovalRejected, warroom.ApprovalExpired:
				f.State = &st
			default:
				return usageErrorf("--state: %q is not pending, executed, rejected, expired or all", state)
			}
			as, total, err := c.client().FindApprovals(cmd.Context(), f)
			if err != nil {
				return err
			}
			page := listPage[*warroom.Approval]{Items: as, Key: "approvals", Total: total, Offset: f.Offset, Limit: pageLimit(f.Limit)}
			return c.output(page, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tOPERATION\tPARAMS\tSTATE\tBY\tEXPIRES\tREASON")
				for _, a := range as {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\n", a.ID, a.Op, a.Params, a.State, a.RequestedBy, a.ExpiresAt.UTC().Format(time.DateTime), truncate(a.Reason, 40))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&state, "state", string(warroom.ApprovalPending), "pending, executed, rejected, expired or all")
	cmd.Flags().IntVar(&f.Limit, "limit", 0, "at most this many (default 50, max 500)")
	cmd.Flags().IntVar(&f.Offset, "offset", 0, "skip this many")
	return cmd
}

// newApprovalDecideCmd is approve (and run) or reject.
func (c *cli) newApprovalDecideCmd(approve bool) *cobra.Command {
	use, short := "approve ID", "Approve a pending request and run it now; not your own (admin)"
	if !approve {
		use, short = "reject ID", "Refuse a pending request (admin)"
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  args("ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := parseID(a[0], "request", "warroom approval list")
			if err != nil {
				return err
			}
			cl := c.client()
			var ap *warroom.Approval
			if approve {
				ap, err = cl.Approve(cmd.Context(), id)
			} else {
				ap, err = cl.Reject(cmd.Context(), id)
			}
			if err != nil {
				return err
			}
			return c.output(ap, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Request %d (%s) %s\n", ap.ID, ap.Op, ap.State)
				return err
			})
		},
	}
}
