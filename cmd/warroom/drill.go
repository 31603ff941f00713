package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/internal/drillfile"
)

func (c *cli) newDrillCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "drill",
		Short: "Game days: rehearse incidents that reach only their participants",
		Long: `A drill pages only its participants (the on-call of its services), marks every
message DRILL and keeps its public updates off the status page (see docs/drills.md).`,
	})
	cmd.AddCommand(c.newDrillScenariosCmd(), c.newDrillExportCmd(), c.newDrillImportCmd(), c.newDrillDeleteCmd(),
		c.newDrillRunCmd(), c.newDrillListCmd(), c.newDrillShowCmd(),
		c.newDrillActionCmd("pause", "Hold a running drill's remaining steps"),
		c.newDrillActionCmd("resume", "Resume a paused drill; its steps move by the pause"),
		c.newDrillActionCmd("abort", "End a drill; steps not yet injected never are"),
		c.newDrillReportCmd(), c.newDrillInsightsCmd())
	return cmd
}

func (c *cli) newDrillScenariosCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "scenarios",
		Short: "List the built-in and saved scenarios",
		Args:  args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ss, err := c.client().FindDrillScenarios(cmd.Context())
			if err != nil {
				return err
			}
			return c.output(ss, func(out io.Writer) error {
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "SLUG\tLANG\tSEVERITY\tSTEPS\tNAME")
				for _, s := range ss {
					name := s.Name
					if s.BuiltIn {
						name += " (built-in)"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", s.Slug, s.Language, s.Severity, len(s.Steps), name)
				}
				return tw.Flush()
			})
		},
	}
}

func (c *cli) newDrillExportCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:     "export SLUG",
		Short:   "Print a scenario as a YAML or JSON document",
		Example: "  warroom drill export database-deleted --format yaml > my-scenario.yaml",
		Args:    args("SLUG"),
		RunE: func(cmd *cobra.Command, a []string) error {
			if _, err := drillfile.ParseFormat(format); err != nil {
				return usageErrorf("--format: %s", warroom.ErrorMessage(err))
			}
			b, err := c.client().ExportDrillScenario(cmd.Context(), a[0], format)
			if err != nil {
				return err
			}
			_, err = c.stdout.Write(b)
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", "yaml", "yaml or json")
	return cmd
}

func (c *cli) newDrillImportCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Create or replace a scenario from a YAML or JSON file (- for stdin)",
		Long: `The format follows the file's extension (.yaml, .yml, .json) unless --format says
otherwise; unknown fields are refused. Admins only.`,
		Args: args("FILE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			var r io.Reader = c.stdin
			if a[0] != "-" {
				f, err := os.Open(a[0])
				if err != nil {
					return usageErrorf("%v", err)
				}
				defer f.Close()
				r = f
				if format == "" {
					format = strings.TrimPrefix(filepath.Ext(a[0]), ".")
				}
			}
			ff, err := drillfile.ParseFormat(format)
			if err != nil {
				return usageErrorf("--format: %s", warroom.ErrorMessage(err))
			}
			b, err := io.ReadAll(io.LimitReader(r, drillfile.MaxSize+1))
			if err != nil {
				return err
			}
			s, err := drillfile.Parse(b, ff)
			if err != nil {
				return err
			}
			if err := c.client().SaveDrillScenario(cmd.Context(), s); err != nil {
				return err
			}
			return c.output(s, func(out io.Writer) error {
				_, err := fmt.Fprintf(out, "Saved scenario %s (%d steps)\n", s.Slug, len(s.Steps))
				return err
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "yaml or json; default from the file name, json for stdin")
	return cmd
}

func (c *cli) newDrillDeleteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "delete SLUG",
		Short: "Delete a saved scenario",
		Args:  args("SLUG"),
		RunE: func(cmd *cobra.Command, a []string) error {
			if err := c.client().DeleteDrillScenario(cmd.Context(), a[0]); err != nil {
				return err
			}
			_, err := fmt.Fprintf(c.stdout, "Deleted scenario %s\n", a[0])
			return err
		},
	}
}

func (c *cli) newDrillRunCmd() *cobra.Command {
	var (
		services []string
		at       string
	)
	cmd := &cobra.Command{
		Use:     "run SCENARIO",
		Short:   "Run a scenario on services now (or at --at); their on-call take part",
		Example: "  warroom drill run database-deleted --service orders --at 2026-12-10T15:00:00+08:00",
		Args:    args("SCENARIO"),
		RunE: func(cmd *cobra.Command, a []string) error {
			if len(services) == 0 {
				return usageErrorf("--service: name at least one service")
			}
			req := warroom.DrillRunRequest{Scenario: a[0]}
			if at != "" {
				t, err := time.Parse(time.RFC3339, at)
				if err != nil {
					return usageErrorf("--at %q: want an RFC 3339 time such as 2026-05-01T15:00:00+08:00", at)
				}
				req.StartsAt = &t
			}
			for _, name := range services {
				s, err := c.client().FindServiceByName(cmd.Context(), name)
				if err != nil {
					return err
				}
				req.ServiceIDs = append(req.ServiceIDs, s.ID)
			}
			r, err := c.client().StartDrill(cmd.Context(), req)
			if err != nil {
				return err
			}
			return c.output(r, func(out io.Writer) error {
				_, err := fmt.Fprintf(out, "Drill %d of %s starts %s\n", r.ID, r.ScenarioSlug, r.StartsAt.Local().Format(time.DateTime))
				return err
			})
		},
	}
	cmd.Flags().StringArrayVar(&services, "service", nil, "a service the drill runs on (repeatable)")
	cmd.Flags().StringVar(&at, "at", "", "start time (RFC 3339); default now")
	return cmd
}

func (c *cli) newDrillListCmd() *cobra.Command {
	var states []string
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List drill runs, newest first",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			rs, _, err := c.client().FindDrillRuns(cmd.Context(), states)
			if err != nil {
				return err
			}
			return c.output(rs, func(out io.Writer) error {
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSTATE\tSCENARIO\tSTARTS\tINCIDENT")
				for _, r := range rs {
					inc := "-"
					if r.IncidentID != nil {
						inc = warroom.FormatNumber(*r.IncidentID)
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", r.ID, r.State, r.ScenarioSlug, r.StartsAt.Local().Format(time.DateTime), inc)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringArrayVar(&states, "state", nil, "scheduled, running, paused, completed or aborted (repeatable)")
	return cmd
}

func drillID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usageErrorf("%q is not a drill run ID", s)
	}
	return id, nil
}

func (c *cli) newDrillShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show a drill run and its steps",
		Args:  args("ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := drillID(a[0])
			if err != nil {
				return err
			}
			r, err := c.client().FindDrillRun(cmd.Context(), id)
			if err != nil {
				return err
			}
			return c.output(r, func(out io.Writer) error {
				fmt.Fprintf(out, "Drill %d: %s (%s), %s\n", r.ID, r.Scenario.Name, r.ScenarioSlug, r.State)
				for _, st := range r.Steps {
					s := r.Scenario.Steps[st.Index]
					when := "aborted"
					if st.DoneAt != nil {
						when = "done " + st.DoneAt.Local().Format(time.DateTime)
					} else if st.DueAt != nil {
						when = "due " + st.DueAt.Local().Format(time.DateTime)
					}
					fmt.Fprintf(out, "  +%4ds  %-9s  %-28s  %s\n", s.OffsetSeconds, s.Kind, when, s.Summary)
				}
				return nil
			})
		},
	}
}

func (c *cli) newDrillActionCmd(action, short string) *cobra.Command {
	return &cobra.Command{
		Use:   action + " ID",
		Short: short,
		Args:  args("ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := drillID(a[0])
			if err != nil {
				return err
			}
			r, err := c.client().ChangeDrill(cmd.Context(), id, action)
			if err != nil {
				return err
			}
			return c.output(r, func(out io.Writer) error {
				_, err := fmt.Fprintf(out, "Drill %d is %s\n", r.ID, r.State)
				return err
			})
		},
	}
}

func (c *cli) newDrillReportCmd() *cobra.Command {
	var markdown bool
	cmd := &cobra.Command{
		Use:   "report ID",
		Short: "What a drill showed: times against the SLA, SOP steps, what was missed",
		Args:  args("ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := drillID(a[0])
			if err != nil {
				return err
			}
			if markdown {
				b, err := c.client().DrillReportMarkdown(cmd.Context(), id)
				if err != nil {
					return err
				}
				_, err = c.stdout.Write(b)
				return err
			}
			rep, err := c.client().DrillReport(cmd.Context(), id)
			if err != nil {
				return err
			}
			return c.output(rep, func(out io.Writer) error {
				_, err := out.Write(drillfile.ReportMarkdown(rep))
				return err
			})
		},
	}
	cmd.Flags().BoolVar(&markdown, "markdown", false, "print the Markdown export as the server renders it")
	return cmd
}

func (c *cli) newDrillInsightsCmd() *cobra.Command {
	var stale int
	cmd := &cobra.Command{
		Use:   "insights",
		Short: "Drills per team over 90 days and each service's last drill",
		Args:  args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			in, err := c.client().DrillInsights(cmd.Context(), stale)
			if err != nil {
				return err
			}
			return c.output(in, func(out io.Writer) error {
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "TEAM\tDRILLS\tMTTA\tMTTR")
				for _, t := range in.Teams {
					fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", t.Team, t.Runs, time.Duration(t.MTTA.Median)*time.Second, time.Duration(t.MTTR.Median)*time.Second)
				}
				fmt.Fprintln(tw, "\nSERVICE\tLAST DRILL\t\t")
				for _, s := range in.Services {
					last := "never"
					if s.LastDrillAt != nil {
						last = s.LastDrillAt.Local().Format(time.DateOnly)
					}
					if s.Overdue {
						last += fmt.Sprintf("  (none in %d days)", in.StaleDays)
					}
					fmt.Fprintf(tw, "%s\t%s\t\t\n", s.ServiceName, last)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().IntVar(&stale, "stale-days", 90, "flag services with no drill in this many days")
	return cmd
}
