package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom/cmd/warroom/app"
	"github.com/warroomhq/warroom/internal/store"
)

func (c *cli) newServeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the warroom server (API and web UI)",
		Long: `Run the warroom server on --addr with the database at --database (an
embedded SQLite file by default, or a postgres:// URL). The database is
created and migrated as needed.

On an empty database the first admin (admin@localhost) is created. Its API
token is WARROOM_BOOTSTRAP_TOKEN when set and its web password
WARROOM_BOOTSTRAP_PASSWORD when set; whatever is not set is generated and
printed once to standard error.

The server stops gracefully on SIGINT or SIGTERM.`,
		Args: args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			m := &app.Main{Config: c.cfg, Stderr: c.stderr, Getenv: c.getenv}
			if err := m.Run(cmd.Context()); err != nil {
				return err
			}
			m.Logger.Info("warroom is ready", "url", m.Server.URL())
			<-cmd.Context().Done()
			m.Logger.Info("shutting down")
			return m.Close()
		},
	}
}

func (c *cli) newMigrateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Create or upgrade the database schema, then exit",
		Args:  args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			logger, err := c.cfg.NewLogger(c.stderr)
			if err != nil {
				return err
			}
			db, err := store.Open(cmd.Context(), c.cfg.Database, store.Options{Logger: logger})
			if err != nil {
				return fmt.Errorf("open database %s: %w", app.Redact(c.cfg.Database), err)
			}
			engine := db.Engine()
			if err := db.Close(); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "%s database %s is up to date\n", engine, app.Redact(c.cfg.Database))
			return nil
		},
	}
}
