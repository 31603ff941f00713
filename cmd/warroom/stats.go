package main

import (
	"fmt"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom/cmd/warroom/app"
	"github.com/warroomhq/warroom/internal/store"
)

func (c *cli) newStatsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "stats",
		Short: "Show the size of each table and what alert retention will delete",
		Long: `Open the server's database (--database / WARROOM_DATABASE, as for serve)
and print each table's rows and size on disk, the database's size, and how
many resolved alerts the retention age (--alert-retention, default 90d)
would delete now. It reads the database directly and changes nothing.`,
		Args: args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			age, err := c.cfg.Retention()
			if err != nil {
				return usageErrorf("%v", err)
			}
			if err := c.databaseExists(); err != nil {
				return err
			}
			db, err := store.Open(cmd.Context(), c.cfg.Database, store.Options{Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				return fmt.Errorf("open database %s: %w", app.Redact(c.cfg.Database), err)
			}
			defer db.Close()
			var cutoff *time.Time
			if age > 0 {
				t := time.Now().Add(-age).UTC()
				cutoff = &t
			}
			st, err := db.Stats(cmd.Context(), cutoff)
			if err != nil {
				return err
			}
			if c.json {
				return c.printJSON(st)
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "TABLE\tROWS\tSIZE\t")
			for _, t := range st.Tables {
				fmt.Fprintf(tw, "%s\t%d\t%s\t\n", t.Name, t.Rows, size(t.Bytes))
			}
			fmt.Fprintf(tw, "(%s database)\t\t%s\t\n", st.Engine, size(st.Bytes))
			tw.Flush()
			if cutoff == nil {
				fmt.Fprintln(c.stdout, "Retention is off: every alert is kept.")
			} else {
				fmt.Fprintf(c.stdout, "Retention (%s) will delete %d resolved alerts that joined no incident, resolved before %s.\n",
					retentionText(age), st.AlertsToPurge, cutoff.Format(time.RFC3339))
			}
			return nil
		},
	}
}

func retentionText(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// size prints bytes for people: 1.2 MB; "?" when unknown.
func size(b int64) string {
	switch {
	case b < 0:
		return "?"
	case b < 1<<10:
		return fmt.Sprintf("%d B", b)
	case b < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(b)/(1<<10))
	case b < 1<<30:
		return fmt.Sprintf("%.1f MB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%.2f GB", float64(b)/(1<<30))
}
