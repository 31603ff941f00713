package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
)

func (c *cli) newUserCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "user",
		Aliases: []string{"users"},
		Short:   "Manage user accounts (one per person, never shared)",
	})
	cmd.AddCommand(c.newUserCreateCmd(), c.newUserListCmd(), c.newUserActiveCmd(false), c.newUserActiveCmd(true), c.newUserInviteCmd(), c.newUserInvitesCmd(), c.newUserResetPasswordCmd())
	return cmd
}

func (c *cli) newUserCreateCmd() *cobra.Command {
	var (
		u             warroom.User
		role          string
		passwordStdin bool
	)
	cmd := &cobra.Command{
		Use:     "create --name NAME --email EMAIL [--role ROLE]",
		Short:   "Add a user (admin)",
		Example: `  printf '%s' "$PASSWORD" | warroom user create --name Ana --email ana@example.com --role responder --password-stdin`,
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			u.Role = warroom.UserRole(role)
			var password string
			if passwordStdin {
				// The password comes from standard input, not a flag, so that it
				// never shows in ps or the shell history.
				line, err := bufio.NewReader(io.LimitReader(c.stdin, 4096)).ReadString('\n')
				if err != nil && err != io.EOF {
					return fmt.Errorf("read password: %w", err)
				}
				password = strings.TrimRight(line, "\r\n")
			}
			if err := c.client().CreateUser(cmd.Context(), &u, password); err != nil {
				return err
			}
			return c.output(&u, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "User %s <%s> created (ID %d, %s)\n", u.Name, u.Email, u.ID, u.Role)
				return err
			})
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&u.Name, "name", "", "full name (required)")
	fs.StringVar(&u.Email, "email", "", "email address (required)")
	fs.StringVar(&role, "role", string(warroom.UserRoleResponder), "owner, admin, responder, viewer, stakeholder or contractor")
	fs.StringVar(&u.Locale, "locale", "", "en or zh-CN")
	fs.StringVar(&u.TimeZone, "time-zone", "", "IANA time zone, e.g. Asia/Shanghai")
	fs.BoolVar(&passwordStdin, "password-stdin", false, "read a web UI password from standard input")
	cmd.MarkFlagRequired("name")
	cmd.MarkFlagRequired("email")
	return cmd
}

func (c *cli) newUserListCmd() *cobra.Command {
	var (
		f   warroom.UserFilter
		all bool
	)
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List active users (--all for deactivated ones too)",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !all {
				active := true
				f.Active = &active
			}
			users, total, err := c.client().FindUsers(cmd.Context(), f)
			if err != nil {
				return err
			}
			page := listPage[*warroom.User]{Items: users, Key: "users", Total: total, Offset: f.Offset, Limit: pageLimit(f.Limit)}
			return c.output(page, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tEMAIL\tROLE\tACTIVE")
				for _, u := range users {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%t\n", u.ID, u.Name, u.Email, u.Role, u.Active)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "include deactivated users")
	cmd.Flags().IntVar(&f.Limit, "limit", 0, "at most this many (default 50, max 500)")
	cmd.Flags().IntVar(&f.Offset, "offset", 0, "skip this many")
	return cmd
}

// newUserActiveCmd is deactivate, or reactivate when active is set. A
// person who leaves is deactivated, never deleted, so that history keeps
// their name; their tokens and sessions stop working at once.
func (c *cli) newUserActiveCmd(active bool) *cobra.Command {
	use, short := "deactivate USER", "Deactivate a user (email or ID): sign-in, tokens and sessions stop at once (admin)"
	if active {
		use, short = "reactivate USER", "Reactivate a deactivated user (admin)"
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Long: short + `.
Deactivating an owner or admin needs a second admin when the two-person rule
guards user.remove_admin: the server then answers that a request is needed.`,
		Args: args("USER"),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			cl := c.client()
			uid, err := userID(ctx, cl, a[0])
			if err != nil {
				return err
			}
			u, err := cl.UpdateUser(ctx, uid, warroom.UserUpdate{Active: &active})
			if err != nil {
				return err
			}
			return c.output(u, func(w io.Writer) error {
				state := "deactivated"
				if u.Active {
					state = "active"
				}
				_, err := fmt.Fprintf(w, "User %s <%s> is %s\n", u.Name, u.Email, state)
				return err
			})
		},
	}
}

func (c *cli) newUserInviteCmd() *cobra.Command {
	var role string
	cmd := &cobra.Command{
		Use:   "invite EMAIL [--role ROLE]",
		Short: "Invite a person: prints a single-use link, valid 7 days, where they set their name and password (admin)",
		Long: `Invite a person by email with a role. The link is printed once: send it to
the person yourself. It works once, for 7 days, and can be withdrawn with
'warroom user invites --revoke ID'.`,
		Example: `  warroom user invite ana@example.com --role responder`,
		Args:    args("EMAIL"),
		RunE: func(cmd *cobra.Command, a []string) error {
			inv, path, err := c.client().CreateInvite(cmd.Context(), a[0], warroom.UserRole(role))
			if err != nil {
				return err
			}
			link := strings.TrimRight(c.cfg.Server, "/") + path
			if c.json {
				return c.printJSON(map[string]any{"invite": inv, "url": link})
			}
			_, err = fmt.Fprintf(c.stdout, "Invitation %d for %s (%s), valid until %s. Its link, shown only now:\n%s\n",
				inv.ID, inv.Email, inv.Role, inv.ExpiresAt.UTC().Format("2006-01-02 15:04 MST"), link)
			return err
		},
	}
	cmd.Flags().StringVar(&role, "role", string(warroom.UserRoleResponder), "owner, admin, responder, viewer, stakeholder or contractor")
	return cmd
}

func (c *cli) newUserInvitesCmd() *cobra.Command {
	var revoke int64
	cmd := &cobra.Command{
		Use:   "invites",
		Short: "List invitations and their state, or withdraw one with --revoke ID (admin)",
		Args:  args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl := c.client()
			if revoke > 0 {
				if err := cl.RevokeInvite(cmd.Context(), revoke); err != nil {
					return err
				}
				return c.output(map[string]int64{"revoked": revoke}, func(w io.Writer) error {
					_, err := fmt.Fprintf(w, "Invitation %d withdrawn\n", revoke)
					return err
				})
			}
			invs, err := cl.FindInvites(cmd.Context())
			if err != nil {
				return err
			}
			if invs == nil {
				invs = []*warroom.Invite{}
			}
			now := c.now()
			return c.output(map[string]any{"invites": invs}, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tEMAIL\tROLE\tSTATE\tEXPIRES")
				for _, i := range invs {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", i.ID, i.Email, i.Role, i.State(now), day(&i.ExpiresAt))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().Int64Var(&revoke, "revoke", 0, "withdraw the pending invitation with this ID")
	return cmd
}
