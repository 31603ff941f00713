package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/cmd/warroom/app"
	"github.com/warroomhq/warroom/internal/checkpoint"
	"github.com/warroomhq/warroom/internal/store"
)

func (c *cli) newAuditCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "audit",
		Short: "Read, export, checkpoint and verify the tamper-evident audit log",
	})
	cmd.AddCommand(c.newAuditVerifyCmd(), c.newAuditCheckpointCmd(), c.newAuditListCmd(), c.newAuditExportCmd())
	return cmd
}

// errAuditBroken makes `audit verify` exit non-zero after printing the
// break, which is the report itself.
type errAuditBroken struct{ v *warroom.AuditVerification }

func (e errAuditBroken) Error() string { return e.v.Message }

func (c *cli) newAuditVerifyCmd() *cobra.Command {
	var files []string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the audit log's MAC chain in the database directly, against checkpoints; exit 1 on a break",
		Long: `Open the server's database (--database / WARROOM_DATABASE, as for serve)
with the server's secret key (WARROOM_SECRET_KEY or --secret-key-file) and
walk the audit log's MAC chain. It reports the first entry that was
modified, deleted or inserted out of order behind warroom's back and exits 1;
it exits 0 when the chain is intact. It reads the database directly so that
it works when the server is down, or is the thing being doubted.

With --checkpoint, the log is also held to checkpoints written by serve or
'audit checkpoint' (JSON lines): each must carry the key's MAC, and the entry
it names must still be there unchanged. Only that catches the newest entries
deleted, the log emptied, or the log rewritten by someone who reset it to the
unkeyed format.`,
		Example: `  warroom audit verify --checkpoint /mnt/audit/warroom-checkpoints.jsonl`,
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var cps []warroom.AuditCheckpoint
			for _, p := range files {
				f, err := os.Open(p)
				if err != nil {
					return fmt.Errorf("--checkpoint: %w", err)
				}
				cs, err := checkpoint.Read(f)
				f.Close()
				if err != nil {
					return fmt.Errorf("--checkpoint %s: %w", p, err)
				}
				cps = append(cps, cs...)
			}
			db, err := c.openAuditDB(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			v, err := db.VerifyAuditCheckpoints(cmd.Context(), cps)
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
	cmd.Flags().StringArrayVar(&files, "checkpoint", nil, "checkpoint file (JSON lines) to hold the log to; repeatable")
	return cmd
}

func (c *cli) newAuditCheckpointCmd() *cobra.Command {
	var files []string
	cmd := &cobra.Command{
		Use:   "checkpoint",
		Short: "Write a checkpoint of the audit log head now, from the database directly",
		Long: `Open the server's database with its secret key, as 'audit verify' does,
and write a MACed checkpoint of the audit log head (sequence number, head MAC,
time) to the --audit-checkpoint destinations and every --to file, then print
it. Serve writes one every --audit-checkpoint-every; this is for before
maintenance, or for a destination that serve cannot reach.`,
		Example: `  warroom audit checkpoint --to /mnt/audit/warroom-checkpoints.jsonl`,
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := c.cfg.CheckpointWriter()
			if err != nil {
				return err
			}
			if w == nil {
				w = &checkpoint.Writer{}
			}
			for _, p := range files {
				w.Destinations = append(w.Destinations, checkpoint.Destination{Kind: checkpoint.KindFile, Target: p})
			}
			if len(w.Destinations) == 0 {
				return fmt.Errorf("no destination: set --audit-checkpoint / WARROOM_AUDIT_CHECKPOINT or give --to FILE")
			}
			db, err := c.openAuditDB(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			cp, err := db.CheckpointAudit(cmd.Context())
			if err != nil {
				return err
			}
			if err := w.Write(cmd.Context(), cp); err != nil {
				return err
			}
			b, err := json.Marshal(cp)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.stdout, string(b))
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&files, "to", nil, "also append the checkpoint to this file; repeatable")
	return cmd
}

// databaseExists refuses a SQLite path with no file: store.Open would
// create an empty database there, and commands that read the database
// directly would report on nothing.
func (c *cli) databaseExists() error {
	if dsn := c.cfg.Database; !strings.Contains(dsn, "://") && !strings.HasPrefix(dsn, "file:") {
		if _, err := os.Stat(dsn); err != nil {
			return fmt.Errorf("no database at %s (set --database or WARROOM_DATABASE): %w", dsn, err)
		}
	}
	return nil
}

// openAuditDB opens the server's database directly with the audit key, if
// there is a secret key; a log not keyed yet is MACed by the open.
func (c *cli) openAuditDB(ctx context.Context) (*store.DB, error) {
	// An empty log verifies: a mistyped path must not report an intact
	// chain.
	if err := c.databaseExists(); err != nil {
		return nil, err
	}
	key, err := c.cfg.ExistingAuditKey()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, c.cfg.Database, store.Options{Logger: slog.New(slog.DiscardHandler), AuditKey: key})
	if errors.Is(err, store.ErrAuditKeyMismatch) {
		return nil, fmt.Errorf("the secret key (WARROOM_SECRET_KEY or --secret-key-file) is not the one the audit log in %s was MACed with", app.Redact(c.cfg.Database))
	} else if err != nil {
		return nil, fmt.Errorf("open database %s: %w", app.Redact(c.cfg.Database), err)
	}
	return db, nil
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
