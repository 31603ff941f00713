package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/client"
)

func (c *cli) newTeamCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "team",
		Aliases: []string{"teams"},
		Short:   "Manage teams, which own the services named after them",
	})
	cmd.AddCommand(c.newTeamCreateCmd(), c.newTeamListCmd(), c.newTeamShowCmd(), c.newTeamMemberCmd(true), c.newTeamMemberCmd(false))
	return cmd
}

// teamID resolves a team given by ID or by name (case-insensitive).
func teamID(ctx context.Context, cl *client.Client, ref string) (int64, error) {
	ref = strings.TrimSpace(ref)
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil && id > 0 {
		return id, nil
	}
	ts, err := cl.FindTeams(ctx)
	if err != nil {
		return 0, err
	}
	for _, t := range ts {
		if strings.EqualFold(t.Name, ref) {
			return t.ID, nil
		}
	}
	return 0, warroom.Errorf(warroom.ENOTFOUND, "no team named %q (see: warroom team list)", ref)
}

func (c *cli) newTeamCreateCmd() *cobra.Command {
	var t warroom.Team
	cmd := &cobra.Command{
		Use:     "create NAME",
		Short:   "Add a team (admin); it owns the services whose team field is its name",
		Example: `  warroom team create payments --description "Checkout and billing"`,
		Args:    args("NAME"),
		RunE: func(cmd *cobra.Command, a []string) error {
			t.Name = a[0]
			if err := c.client().CreateTeam(cmd.Context(), &t); err != nil {
				return err
			}
			return c.output(&t, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Team %s created (ID %d)\n", t.Name, t.ID)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&t.Description, "description", "", "what the team does")
	return cmd
}

func (c *cli) newTeamListCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List teams with their member counts",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ts, err := c.client().FindTeams(cmd.Context())
			if err != nil {
				return err
			}
			if ts == nil {
				ts = []*warroom.Team{}
			}
			return c.output(map[string]any{"teams": ts}, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tMEMBERS\tDESCRIPTION")
				for _, t := range ts {
					fmt.Fprintf(tw, "%d\t%s\t%d\t%s\n", t.ID, t.Name, len(t.MemberIDs), truncate(t.Description, 60))
				}
				return tw.Flush()
			})
		},
	}
}

func (c *cli) newTeamShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show TEAM",
		Short: "Show a team (by ID or name) and its members",
		Args:  args("TEAM"),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			cl := c.client()
			id, err := teamID(ctx, cl, a[0])
			if err != nil {
				return err
			}
			t, err := cl.FindTeamByID(ctx, id)
			if err != nil {
				return err
			}
			if c.json {
				return c.printJSON(t)
			}
			fmt.Fprintf(c.stdout, "Team %s (ID %d)\n", t.Name, t.ID)
			if t.Description != "" {
				fmt.Fprintf(c.stdout, "%s\n", t.Description)
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "MEMBER\tNAME\tEMAIL\tROLE")
			for _, uid := range t.MemberIDs {
				u, err := cl.FindUserByID(ctx, uid)
				if err != nil {
					return err
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", u.ID, u.Name, u.Email, u.Role)
			}
			return tw.Flush()
		},
	}
}

// newTeamMemberCmd is add-member (add) or remove-member.
func (c *cli) newTeamMemberCmd(add bool) *cobra.Command {
	use, short := "add-member TEAM USER", "Add a user (email, ID or \"me\") to a team (admin)"
	if !add {
		use, short = "remove-member TEAM USER", "Take a user off a team (admin)"
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  args("TEAM", "USER"),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			cl := c.client()
			tid, err := teamID(ctx, cl, a[0])
			if err != nil {
				return err
			}
			uid, err := userID(ctx, cl, a[1])
			if err != nil {
				return err
			}
			verb := "added to"
			if add {
				err = cl.AddTeamMember(ctx, tid, uid)
			} else {
				err, verb = cl.RemoveTeamMember(ctx, tid, uid), "removed from"
			}
			if err != nil {
				return err
			}
			return c.output(map[string]int64{"team_id": tid, "user_id": uid}, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "%s (user %d) %s team %s\n", a[1], uid, verb, a[0])
				return err
			})
		},
	}
}

func (c *cli) newGrantCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "grant",
		Aliases: []string{"grants"},
		Short:   "Grant services to contractors and stakeholders, who reach nothing else",
	})
	cmd.AddCommand(c.newGrantChangeCmd(true), c.newGrantListCmd(), c.newGrantChangeCmd(false))
	return cmd
}

// newGrantChangeCmd is grant add (add) or grant remove.
func (c *cli) newGrantChangeCmd(add bool) *cobra.Command {
	use, short := "add USER SERVICE", "Give a user (email or ID) access to a service (name or ID) (admin)"
	if !add {
		use, short = "remove USER SERVICE", "Take a service grant away (admin)"
	}
	return &cobra.Command{
		Use:     use,
		Short:   short,
		Example: `  warroom grant add vendor@example.com checkout`,
		Args:    args("USER", "SERVICE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			cl := c.client()
			uid, err := userID(ctx, cl, a[0])
			if err != nil {
				return err
			}
			sids, err := serviceIDs(ctx, cl, []string{a[1]})
			if err != nil {
				return err
			}
			verb := "granted to"
			if add {
				err = cl.GrantService(ctx, uid, sids[0])
			} else {
				err, verb = cl.RevokeService(ctx, uid, sids[0]), "no longer granted to"
			}
			if err != nil {
				return err
			}
			return c.output(map[string]int64{"user_id": uid, "service_id": sids[0]}, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Service %d %s user %d\n", sids[0], verb, uid)
				return err
			})
		},
	}
}

func (c *cli) newGrantListCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "list USER",
		Aliases: []string{"ls"},
		Short:   "List the services a user reaches: granted directly or owned by its teams (admin)",
		Args:    args("USER"),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			cl := c.client()
			uid, err := userID(ctx, cl, a[0])
			if err != nil {
				return err
			}
			ids, err := cl.FindUserServiceIDs(ctx, uid)
			if err != nil {
				return err
			}
			if ids == nil {
				ids = []int64{}
			}
			if c.json {
				return c.printJSON(map[string]any{"service_ids": ids})
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SERVICE\tNAME\tTEAM")
			for _, id := range ids {
				s, err := cl.FindServiceByID(ctx, id)
				if err != nil {
					return err
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\n", s.ID, s.Name, s.Team)
			}
			return tw.Flush()
		},
	}
}
