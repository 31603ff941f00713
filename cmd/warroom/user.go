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
	cmd.AddCommand(c.newUserCreateCmd(), c.newUserListCmd())
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
	fs.StringVar(&role, "role", string(warroom.UserRoleResponder), "owner, admin, responder or viewer")
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
