package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
)

func (c *cli) newAssignCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "assign INC ROLE USER",
		Short: "Give a user (email, ID or \"me\") a role on an incident, e.g. commander",
		Long: `Give a user a role on an incident. The built-in roles are commander,
communications and scribe, each held by one person at a time (assigning one
ends the previous holder's assignment); teams add their own roles.`,
		Example: `  warroom incident assign INC-7 commander ana@example.com
  warroom incident assign INC-7 scribe me`,
		Args: args("INC", "ROLE", "USER"),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			cl := c.client()
			uid, err := userID(ctx, cl, a[2])
			if err != nil {
				return err
			}
			ra, err := cl.AssignRole(ctx, a[0], a[1], uid)
			if err != nil {
				return err
			}
			return c.output(ra, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "%s is now %s of %s\n", ra.UserName, ra.Role, warroom.FormatNumber(ra.IncidentID))
				return err
			})
		},
	}
}

func (c *cli) newUnassignCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "unassign INC ROLE USER",
		Short: "End a user's role on an incident",
		Args:  args("INC", "ROLE", "USER"),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			cl := c.client()
			uid, err := userID(ctx, cl, a[2])
			if err != nil {
				return err
			}
			roles, err := cl.FindRoleAssignments(ctx, a[0], false)
			if err != nil {
				return err
			}
			for _, ra := range roles {
				if ra.Role == a[1] && ra.UserID == uid {
					if err := cl.EndRoleAssignment(ctx, a[0], ra.ID); err != nil {
						return err
					}
					return c.output(ra, func(w io.Writer) error {
						_, err := fmt.Fprintf(w, "%s is no longer %s of %s\n", ra.UserName, ra.Role, warroom.FormatNumber(ra.IncidentID))
						return err
					})
				}
			}
			return warroom.Errorf(warroom.ENOTFOUND, "%s does not hold the role %s on %s", a[2], a[1], a[0])
		},
	}
}
