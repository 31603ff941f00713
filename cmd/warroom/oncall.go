package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
)

func (c *cli) newOnCallCmd() *cobra.Command {
	cmd := group(&cobra.Command{Use: "oncall", Short: "Who is on call; schedules, overrides and escalation policies"})
	sched := group(&cobra.Command{Use: "schedule", Aliases: []string{"schedules"}, Short: "On-call schedules"})
	sched.AddCommand(c.newScheduleListCmd(), c.newScheduleShowCmd(), c.newScheduleCreateCmd(), c.newOverrideCmd())
	policy := group(&cobra.Command{Use: "policy", Aliases: []string{"policies"}, Short: "Escalation policies"})
	policy.AddCommand(c.newPolicyListCmd(), c.newPolicyCreateCmd(), c.newPolicyAssignCmd())
	cmd.AddCommand(c.newOnCallNowCmd(), sched, policy)
	return cmd
}

func (c *cli) newOnCallNowCmd() *cobra.Command {
	var schedule int64
	var at string
	cmd := &cobra.Command{
		Use:     "now",
		Short:   "Who is on call now (or --at a time), on every schedule",
		Example: "  warroom oncall now\n  warroom oncall now --schedule 2 --at 2025-03-09T03:00:00Z",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var t time.Time
			if at != "" {
				var err error
				if t, err = parseTime("--at", at, c.now()); err != nil {
					return err
				}
			}
			shifts, err := c.client().FindOnCall(cmd.Context(), schedule, t)
			if err != nil {
				return err
			}
			return c.output(map[string]any{"shifts": shifts}, func(w io.Writer) error { return printShifts(w, shifts) })
		},
	}
	cmd.Flags().Int64Var(&schedule, "schedule", 0, "only this schedule")
	cmd.Flags().StringVar(&at, "at", "", "a time instead of now (RFC 3339)")
	return cmd
}

func printShifts(w io.Writer, shifts []*warroom.OnCallShift) error {
	if len(shifts) == 0 {
		_, err := fmt.Fprintln(w, "Nobody is on call.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCHEDULE\tWHO\tFROM\tUNTIL\tVIA")
	for _, s := range shifts {
		via := s.Layer
		if s.Override {
			via = "override"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.ScheduleName, s.UserName, s.Start.Local().Format("Mon Jan 2 15:04"), s.End.Local().Format("Mon Jan 2 15:04"), via)
	}
	return tw.Flush()
}

func (c *cli) newScheduleListCmd() *cobra.Command {
	return &cobra.Command{
		Use: "list", Aliases: []string{"ls"}, Short: "List schedules", Args: args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ss, err := c.client().FindSchedules(cmd.Context())
			if err != nil {
				return err
			}
			return c.output(map[string]any{"schedules": ss}, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tTEAM\tTIME ZONE\tLAYERS")
				for _, s := range ss {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\n", s.ID, s.Name, s.Team, s.TimeZone, len(s.Layers))
				}
				return tw.Flush()
			})
		},
	}
}

func (c *cli) newScheduleShowCmd() *cobra.Command {
	var days int
	cmd := &cobra.Command{
		Use: "show ID", Short: "Shifts of a schedule over the next days", Args: args("ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := parseID(a[0], "schedule", "warroom oncall schedule list")
			if err != nil {
				return err
			}
			from := c.now()
			out, err := c.client().FindShifts(cmd.Context(), id, from, from.Add(time.Duration(days)*24*time.Hour))
			if err != nil {
				return err
			}
			return c.output(out, func(w io.Writer) error { return printShifts(w, out.Shifts) })
		},
	}
	cmd.Flags().IntVar(&days, "days", 7, "how many days ahead")
	return cmd
}

// readJSON decodes a file, or stdin for "-", strictly.
func (c *cli) readJSON(path string, v any) error {
	var r io.Reader = c.stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return usageErrorf("--file: %v", err)
		}
		defer f.Close()
		r = f
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return usageErrorf("--file: not valid JSON: %v", err)
	}
	return nil
}

func (c *cli) newScheduleCreateCmd() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "create --file schedule.json",
		Short: "Add a schedule from JSON (admin)",
		Example: `  warroom oncall schedule create --file - <<'EOF'
  {"name":"payments primary","time_zone":"Asia/Shanghai","team":"payments",
   "layers":[{"name":"weekly","rotation":"weekly","start":"2025-03-03T10:00","user_ids":[2,3,4]}]}
  EOF`,
		Args: args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var s warroom.Schedule
			if err := c.readJSON(file, &s); err != nil {
				return err
			}
			if err := c.client().CreateSchedule(cmd.Context(), &s); err != nil {
				return err
			}
			return c.output(&s, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Schedule %q created (ID %d)\n", s.Name, s.ID)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&file, "file", "-", "JSON file, - for stdin")
	return cmd
}

func (c *cli) newOverrideCmd() *cobra.Command {
	var o warroom.ScheduleOverride
	var start, end string
	cmd := &cobra.Command{
		Use:     "override SCHEDULE_ID --user ID --start TIME --end TIME",
		Short:   "Put someone on call for a while",
		Example: "  warroom oncall schedule override 1 --user 7 --replaces 3 --start 2025-03-08T18:00:00Z --end 2025-03-09T09:00:00Z",
		Args:    args("SCHEDULE_ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			var err error
			if o.ScheduleID, err = parseID(a[0], "schedule", "warroom oncall schedule list"); err != nil {
				return err
			}
			if o.Start, err = parseTime("--start", start, c.now()); err != nil {
				return err
			}
			if o.End, err = parseTime("--end", end, c.now()); err != nil {
				return err
			}
			if err := c.client().CreateScheduleOverride(cmd.Context(), &o); err != nil {
				return err
			}
			return c.output(&o, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Override %d: user %d on call %s to %s\n", o.ID, o.UserID, o.Start.Local().Format(time.RFC3339), o.End.Local().Format(time.RFC3339))
				return err
			})
		},
	}
	cmd.Flags().Int64Var(&o.UserID, "user", 0, "who goes on call")
	cmd.Flags().Int64Var(&o.ReplacesUserID, "replaces", 0, "whom they replace (default: whoever is on call)")
	cmd.Flags().StringVar(&start, "start", "", "start (RFC 3339)")
	cmd.Flags().StringVar(&end, "end", "", "end (RFC 3339)")
	return cmd
}

func (c *cli) newPolicyListCmd() *cobra.Command {
	return &cobra.Command{
		Use: "list", Aliases: []string{"ls"}, Short: "List escalation policies", Args: args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ps, err := c.client().FindEscalationPolicies(cmd.Context())
			if err != nil {
				return err
			}
			return c.output(map[string]any{"escalation_policies": ps}, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tLEVELS\tREPEAT")
				for _, p := range ps {
					fmt.Fprintf(tw, "%d\t%s\t%d\t%d\n", p.ID, p.Name, len(p.Levels), p.Repeat)
				}
				return tw.Flush()
			})
		},
	}
}

func (c *cli) newPolicyCreateCmd() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "create --file policy.json",
		Short: "Add an escalation policy from JSON (admin)",
		Example: `  warroom oncall policy create --file - <<'EOF'
  {"name":"payments","repeat":1,"levels":[
    {"delay_seconds":300,"targets":[{"type":"schedule","id":1}]},
    {"delay_seconds":600,"targets":[{"type":"user","id":5},{"type":"team","team":"sre"}]}]}
  EOF`,
		Args: args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var p warroom.EscalationPolicy
			if err := c.readJSON(file, &p); err != nil {
				return err
			}
			if err := c.client().CreateEscalationPolicy(cmd.Context(), &p); err != nil {
				return err
			}
			return c.output(&p, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Escalation policy %q created (ID %d)\n", p.Name, p.ID)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&file, "file", "-", "JSON file, - for stdin")
	return cmd
}

func (c *cli) newPolicyAssignCmd() *cobra.Command {
	return &cobra.Command{
		Use: "assign SERVICE POLICY_ID", Short: "Make a service escalate by a policy (0 clears; admin)", Args: args("SERVICE", "POLICY_ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := strconv.ParseInt(a[1], 10, 64)
			if err != nil || id < 0 {
				return usageErrorf("POLICY_ID: %q is not a policy ID", a[1])
			}
			if err := c.client().SetServiceEscalationPolicy(cmd.Context(), a[0], id); err != nil {
				return err
			}
			return c.output(map[string]any{"service": a[0], "policy_id": id}, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Service %s now escalates by policy %d\n", a[0], id)
				return err
			})
		},
	}
}

func (c *cli) newPageCmd() *cobra.Command {
	var req warroom.PageRequest
	var incident, escalate string
	cmd := &cobra.Command{
		Use:   "page",
		Short: "Page a person or a policy now, or notify an incident's next level",
		Example: `  warroom page --user 7 --message "call the bridge"
  warroom page --policy 2 --incident INC-42
  warroom page --escalate INC-42`,
		Args: args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if escalate != "" {
				id, err := warroom.ParseNumber(escalate)
				if err != nil {
					return usageErrorf("--escalate: %s", warroom.ErrorMessage(err))
				}
				if err := c.client().EscalateNow(cmd.Context(), id); err != nil {
					return err
				}
				return c.output(map[string]any{"incident_id": id, "escalated": true}, func(w io.Writer) error {
					_, err := fmt.Fprintf(w, "The next level of %s is being paged\n", warroom.FormatNumber(id))
					return err
				})
			}
			if incident != "" {
				id, err := warroom.ParseNumber(incident)
				if err != nil {
					return usageErrorf("--incident: %s", warroom.ErrorMessage(err))
				}
				req.IncidentID = id
			}
			if err := c.client().Page(cmd.Context(), req); err != nil {
				return err
			}
			return c.output(req, func(w io.Writer) error {
				_, err := fmt.Fprintln(w, "Paged.")
				return err
			})
		},
	}
	cmd.Flags().Int64Var(&req.UserID, "user", 0, "user to page")
	cmd.Flags().Int64Var(&req.PolicyID, "policy", 0, "escalation policy to start on --incident")
	cmd.Flags().StringVar(&incident, "incident", "", "incident the page is about (INC-42)")
	cmd.Flags().StringVarP(&req.Message, "message", "m", "", "message")
	cmd.Flags().StringVar(&escalate, "escalate", "", "notify this incident's next escalation level now")
	return cmd
}
