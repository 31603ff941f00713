package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/store"
)

// The recovery commands write to the database directly, for the admin who
// lost the password or every token and so cannot call the API. Whoever can
// read the database and its key owns the installation anyway; what they do
// this way is still audited, attributed to the system and to the operating
// system account that ran the command.

func (c *cli) newUserResetPasswordCmd() *cobra.Command {
	var passwordStdin bool
	cmd := &cobra.Command{
		Use:   "reset-password EMAIL",
		Short: "Set a user's web password in the database directly, for a lost admin password (audited)",
		Long: `Open the database (--database / WARROOM_DATABASE, with the server's secret
key, as 'audit verify' does) and set the web password of the user with
EMAIL: a new random one printed once, or the one read from standard input
with --password-stdin. It also unlocks the account and ends the user's
sessions. The server may be running. The change is in the audit log as
user.password, by the system, from "local:<os user>".`,
		Example: `  warroom user reset-password admin@localhost --database /var/lib/warroom/warroom.db`,
		Args:    args("EMAIL"),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			password := ""
			if passwordStdin {
				line, err := bufio.NewReader(io.LimitReader(c.stdin, 4096)).ReadString('\n')
				if err != nil && err != io.EOF {
					return fmt.Errorf("read password: %w", err)
				}
				password = strings.TrimRight(line, "\r\n")
			} else {
				b := make([]byte, 18)
				if _, err := rand.Read(b); err != nil {
					return err
				}
				password = base64.RawURLEncoding.EncodeToString(b)
			}
			db, u, err := c.openDirect(ctx, a[0])
			if err != nil {
				return err
			}
			defer db.Close()
			if err := db.SetPassword(localContext(ctx), u.ID, password); err != nil {
				return err
			}
			if passwordStdin {
				_, err = fmt.Fprintf(c.stdout, "Password of %s reset; their sessions ended.\n", u.Email)
			} else {
				_, err = fmt.Fprintf(c.stdout, "Password of %s reset; their sessions ended. The new password, shown only now:\n%s\n", u.Email, password)
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the new password from standard input instead of generating one")
	return cmd
}

// issueTokenDirect is 'token create --direct': the token is written to the
// database, not requested from the server.
func (c *cli) issueTokenDirect(ctx context.Context, ref string, in warroom.TokenInput) (*warroom.Token, string, error) {
	if ref == "me" {
		return nil, "", usageErrorf("--direct: give --user as an email address or user ID; there is no \"me\" without the server")
	}
	db, u, err := c.openDirect(ctx, ref)
	if err != nil {
		return nil, "", err
	}
	defer db.Close()
	return db.IssueToken(localContext(ctx), u.ID, in)
}

// openDirect opens the database as the audit commands do and finds the
// active user ref (an email address or an ID) in it.
func (c *cli) openDirect(ctx context.Context, ref string) (*store.DB, *warroom.User, error) {
	var f warroom.UserFilter
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		f.ID = &id
	} else if strings.Contains(ref, "@") {
		f.Email = &ref
	} else {
		return nil, nil, usageErrorf("%q is not a user: give an email address or a user ID", ref)
	}
	db, err := c.openAuditDB(ctx)
	if err != nil {
		return nil, nil, err
	}
	us, _, err := db.FindUsers(ctx, f)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	for _, u := range us {
		if u.Active {
			return db, u, nil
		}
	}
	db.Close()
	return nil, nil, fmt.Errorf("no active user %s in the database", ref)
}

// localContext marks changes as made from this machine's console, by the
// operating system account running the command.
func localContext(ctx context.Context) context.Context {
	name := strconv.Itoa(os.Getuid())
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return warroom.NewContextWithSource(ctx, "local:"+name)
}
