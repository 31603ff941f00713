package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
)

func (c *cli) newTokenCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "token",
		Aliases: []string{"tokens"},
		Short:   "Manage API tokens",
	})
	cmd.AddCommand(c.newTokenCreateCmd(), c.newTokenListCmd(), c.newTokenRevokeCmd())
	return cmd
}

func (c *cli) newTokenCreateCmd() *cobra.Command {
	var (
		user, expires, kind string
		scopes              []string
		direct              bool
	)
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Issue an API token; its secret is printed once",
		Long: `Issue an API token for yourself, or with --user for someone else (admin).
The secret is printed once and cannot be retrieved again.

--scope narrows what the token may do below its owner's role: read, write,
ingest or admin (default read, write and admin). A service token (--kind
service, admins only) is for a system such as CI or monitoring and must
expire within 366 days.

--direct writes the token to the database (--database, with the server's
secret key) instead of asking the server, for an admin who has lost every
token; the server may be running. It is audited as token.create by the
system, from "local:<os user>".`,
		Example: `  warroom token create laptop --expires 720h
  warroom token create alertmanager --kind service --scope ingest --expires 2160h --user monitoring@example.com
  warroom token create recovery --user admin@localhost --expires 24h --direct`,
		Args: args("NAME"),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			var exp *time.Time
			if expires != "" {
				d, err := time.ParseDuration(expires)
				if err != nil || d <= 0 {
					return usageErrorf("--expires: %q is not a positive duration such as 720h", expires)
				}
				t := c.now().Add(d).UTC()
				exp = &t
			}
			in := warroom.TokenInput{Name: a[0], Kind: warroom.TokenKind(kind), ExpiresAt: exp}
			for _, s := range scopes {
				in.Scopes = append(in.Scopes, warroom.TokenScope(strings.TrimSpace(s)))
			}
			var (
				tok    *warroom.Token
				secret string
				err    error
			)
			if direct {
				tok, secret, err = c.issueTokenDirect(ctx, user, in)
			} else {
				cl := c.client()
				var uid int64
				if uid, err = userID(ctx, cl, user); err != nil {
					return err
				}
				tok, secret, err = cl.IssueToken(ctx, uid, in)
			}
			if err != nil {
				return err
			}
			if c.json {
				return c.printJSON(map[string]any{"token": tok, "secret": secret})
			}
			_, err = fmt.Fprintf(c.stdout, "Token %q created (ID %d, %s, scopes %s). Its secret, shown only now:\n%s\n", tok.Name, tok.ID, tok.Kind, scopeList(tok.Scopes), secret)
			return err
		},
	}
	cmd.Flags().StringVar(&user, "user", "me", "whose token: email, user ID or \"me\"")
	cmd.Flags().StringVar(&expires, "expires", "", "lifetime, e.g. 720h; none means it never expires (service tokens must)")
	cmd.Flags().StringVar(&kind, "kind", string(warroom.TokenPersonal), "personal, or service for a system (admin)")
	cmd.Flags().BoolVar(&direct, "direct", false, "write the token to the database directly instead of calling the server, to recover a lost admin token")
	cmd.Flags().StringSliceVar(&scopes, "scope", nil, "read, write, ingest or admin; repeat or comma-separate (default read,write,admin)")
	return cmd
}

// scopeList renders scopes as "read,write".
func scopeList(ss []warroom.TokenScope) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, ",")
}

func (c *cli) newTokenListCmd() *cobra.Command {
	var user string
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List your API tokens (or --user's), revoked ones included",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			cl := c.client()
			uid, err := userID(ctx, cl, user)
			if err != nil {
				return err
			}
			tokens, err := cl.FindTokens(ctx, uid)
			if err != nil {
				return err
			}
			if c.json {
				if tokens == nil {
					tokens = []*warroom.Token{}
				}
				return c.printJSON(map[string]any{"tokens": tokens})
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tPREFIX\tKIND\tSCOPES\tCREATED\tEXPIRES\tLAST USED\tREVOKED")
			for _, t := range tokens {
				fmt.Fprintf(tw, "%d\t%s\t%s…\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Prefix, t.Kind, scopeList(t.Scopes), day(&t.CreatedAt), day(t.ExpiresAt), day(t.LastUsedAt), day(t.RevokedAt))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&user, "user", "me", "whose tokens: email, user ID or \"me\"")
	return cmd
}

func (c *cli) newTokenRevokeCmd() *cobra.Command {
	var user string
	cmd := &cobra.Command{
		Use:   "revoke TOKEN-ID",
		Short: "Revoke an API token",
		Args:  args("TOKEN-ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			cl := c.client()
			id, err := parseID(a[0], "token", "warroom token list")
			if err != nil {
				return err
			}
			uid, err := userID(ctx, cl, user)
			if err != nil {
				return err
			}
			if err := cl.RevokeToken(ctx, uid, id); err != nil {
				return err
			}
			if c.json {
				return c.printJSON(map[string]any{"revoked": id})
			}
			_, err = fmt.Fprintf(c.stdout, "Token %d revoked\n", id)
			return err
		},
	}
	cmd.Flags().StringVar(&user, "user", "me", "whose token: email, user ID or \"me\"")
	return cmd
}

// day renders an optional time as a date, or "-".
func day(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}
