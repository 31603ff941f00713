package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/cmd/warroom/app"
	"github.com/warroomhq/warroom/internal/store"
)

func (c *cli) newAuditCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "audit",
		Short: "Read, export and verify the tamper-evident audit log",
	})
	cmd.AddCommand(c.newAuditVerifyCmd(), c.newAuditListCmd(), c.newAuditExportCmd())
	return cmd
}

// errAuditBroken makes `audit verify` exit non-zero after printing the
// break, which is the report itself.
type errAuditBroken struct{ v *warroom.AuditVerification }

func (e errAuditBroken) Error() string { return e.v.Message }

func (c *cli) newAuditVerifyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Check the audit hash chain in the database directly; exit 1 on a break",
		Long: `Open the server's database (--database / WARROOM_DATABASE, as for serve)
and walk the audit log's hash chain. It reports the first entry that was
modified, deleted or inserted out of order behind warroom's back and exits 1;
it exits 0 when the chain is intact. It reads the database directly so that
it works when the server is down, or is the thing being doubted.`,
		Args: args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			// store.Open creates a missing SQLite file, and an empty log
			// verifies: a mistyped path must not report an intact chain.
			if dsn := c.cfg.Database; !strings.Contains(dsn, "://") && !strings.HasPrefix(dsn, "file:") {
				if _, err := os.Stat(dsn); err != nil {
					return fmt.Errorf("no database at %s (set --database or WARROOM_DATABASE): %w", dsn, err)
				}
			}
			db, err := store.Open(cmd.Context(), c.cfg.Database, store.Options{Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				return fmt.Errorf("open database %s: %w", app.Redact(c.cfg.Database), err)
			}
			defer db.Close()
			v, err := db.VerifyAudit(cmd.Context())
			if err != nil {
				return err
			}
			if c.json {
				if err := c.printJSON(v); err != nil {
					return err
				}
			} else if v.OK {
				fmt.Fprintf(c.stdout, "OK: %s\n", v.Message)
			} else {
				fmt.Fprintf(c.stdout, "BROKEN at entry %d (%s): %s\n", v.FirstBadID, v.Break, v.Message)
			}
			if !v.OK {
				return errAuditBroken{v}
			}
			return nil
		},
	}
}

// auditFilterFlags are the filters shared by list and export.
type auditFilterFlags struct {
	action, targetType, targetID string
	actor                        int64
}

func (a *auditFilterFlags) register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&a.action, "action", "", "only this action, e.g. user.update")
	fs.StringVar(&a.targetType, "target-type", "", "only this target type, e.g. user")
	fs.StringVar(&a.targetID, "target-id", "", "only this target ID")
	fs.Int64Var(&a.actor, "actor", -1, "only this actor's user ID (0: the system)")
}

func (a *auditFilterFlags) apply(f *warroom.AuditFilter) {
	if a.action != "" {
		act := warroom.AuditAction(a.action)
		f.Action = &act
	}
	if a.targetType != "" {
		f.TargetType = &a.targetType
	}
	if a.targetID != "" {
		f.TargetID = &a.targetID
	}
	if a.actor >= 0 {
		f.ActorID = &a.actor
	}
}

func (c *cli) newAuditListCmd() *cobra.Command {
	var (
		f     warroom.AuditFilter
		flags auditFilterFlags
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List audit entries, newest first (admin)",
		Args:  args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			flags.apply(&f)
			es, total, err := c.client().FindAuditEntries(cmd.Context(), f)
			if err != nil {
				return err
			}
			return c.output(map[string]any{"entries": es, "total": total}, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tAT\tACTOR\tACTION\tTARGET\tSOURCE")
				for _, e := range es {
					fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s/%s\t%s\n", e.ID, e.At.Format("2006-01-02 15:04:05Z"), e.ActorID, e.Action, e.TargetType, e.TargetID, e.SourceIP)
				}
				fmt.Fprintf(tw, "(%d of %d)\n", len(es), total)
				return tw.Flush()
			})
		},
	}
	flags.register(cmd)
	cmd.Flags().IntVar(&f.Limit, "limit", 50, "entries per page")
	cmd.Flags().IntVar(&f.Offset, "offset", 0, "entries to skip")
	return cmd
}

func (c *cli) newAuditExportCmd() *cobra.Command {
	var flags auditFilterFlags
	cmd := &cobra.Command{
		Use:     "export",
		Short:   "Write the matching audit entries as JSON lines to standard output (admin)",
		Example: `  warroom audit export --action user.update > audit.jsonl`,
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := warroom.AuditFilter{Limit: warroom.MaxPageSize}
			flags.apply(&f)
			enc := json.NewEncoder(c.stdout)
			for {
				es, _, err := c.client().FindAuditEntries(cmd.Context(), f)
				if err != nil {
					return err
				}
				for _, e := range es {
					if err := enc.Encode(e); err != nil {
						return err
					}
				}
				if len(es) < f.Limit {
					return nil
				}
				// By key, not offset: entries written while the export
				// runs must not shift its pages.
				last := es[len(es)-1].ID
				f.BeforeID = &last
			}
		},
	}
	flags.register(cmd)
	return cmd
}
