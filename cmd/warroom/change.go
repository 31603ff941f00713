package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
)

func (c *cli) newChangeCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "change",
		Aliases: []string{"changes", "chg"},
		Short:   "Record releases, migrations and risky operations under the change policy",
		Long: `Record changes and walk them through the change policy. Made for CI/CD
pipelines: create the change with its evidence at the start of a deploy,
'start' it (which exits 1 naming everything the policy still requires when
it refuses), and 'complete' or 'rollback' it at the end. Changes are named
CHG-42 or 42.`,
		Example: `  CHG=$(warroom change create -q --kind deploy --service checkout --title "Release $TAG" \
      --link "$CI_PIPELINE_URL" --test-report "$CI_JOB_URL" --rollback-plan "helm rollback checkout")
  warroom change start "$CHG" && ./deploy.sh && warroom change complete "$CHG" || warroom change rollback "$CHG" --reason "deploy failed"`,
	})
	cmd.AddCommand(c.newChangeCreateCmd(), c.newChangeEvidenceCmd(), c.newChangeListCmd(), c.newChangeShowCmd(),
		c.newChangeStepCmd("submit", "Ask for approval", ""),
		c.newChangeStepCmd("approve", "Approve a change (never your own)", "comment"),
		c.newChangeStepCmd("reject", "Reject a submitted change", "reason"),
		c.newChangeStepCmd("start", "Start a change; exits 1 naming what is missing when the policy refuses", ""),
		c.newChangeStepCmd("complete", "Mark a change completed", "note"),
		c.newChangeStepCmd("fail", "Mark a change failed", "note"),
		c.newChangeStepCmd("rollback", "Record that a change was rolled back; its author is notified", "reason"),
	)
	return cmd
}

// evidenceFlags are the evidence a change can carry, on create and evidence.
type evidenceFlags struct {
	testReport, rollbackPlan, backup, backupVerified, acceptedBy, acceptedAt string
}

func (e *evidenceFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&e.testReport, "test-report", "", "link to (or reference of) the passed test report")
	cmd.Flags().StringVar(&e.rollbackPlan, "rollback-plan", "", "how to undo the change")
	cmd.Flags().StringVar(&e.backup, "backup", "", "where the backup taken before the change is")
	cmd.Flags().StringVar(&e.backupVerified, "backup-verified", "", "when the backup was verified restorable: RFC 3339 or \"now\"")
	cmd.Flags().StringVar(&e.acceptedBy, "accepted-by", "", "who accepted the change in production")
	cmd.Flags().StringVar(&e.acceptedAt, "accepted-at", "", "when it was accepted: RFC 3339 or \"now\" (default now with --accepted-by)")
}

// update returns the evidence given on the command line as an update.
func (e *evidenceFlags) update(now time.Time) (warroom.ChangeUpdate, error) {
	var u warroom.ChangeUpdate
	str := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	u.TestReport, u.RollbackPlan, u.BackupLocation, u.AcceptedBy = str(e.testReport), str(e.rollbackPlan), str(e.backup), str(e.acceptedBy)
	var err error
	if u.BackupVerifiedAt, err = flagTime("--backup-verified", e.backupVerified, now); err != nil {
		return u, err
	}
	at := e.acceptedAt
	if at == "" && e.acceptedBy != "" {
		at = "now"
	}
	u.AcceptedAt, err = flagTime("--accepted-at", at, now)
	return u, err
}

func flagTime(name, s string, now time.Time) (*time.Time, error) {
	switch s {
	case "":
		return nil, nil
	case "now":
		t := now.UTC()
		return &t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, usageErrorf("%s: want an RFC 3339 time such as 2026-03-01T21:00:00+08:00, or \"now\"; got %q", name, s)
	}
	return &t, nil
}

func (c *cli) newChangeCreateCmd() *cobra.Command {
	var (
		ch                 warroom.Change
		kind, risk         string
		services, links    []string
		ev                 evidenceFlags
		quiet, submit, run bool
	)
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Record a change as a draft (its risk is proposed from kind and service tier)",
		Example: `  warroom change create --kind database_migration --service orders --title "Add index on orders.created_at" \
      --test-report https://ci/run/12 --rollback-plan "DROP INDEX …" --backup s3://bk/orders --backup-verified now --submit`,
		Args: args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			cl := c.client()
			ch.Kind, ch.Risk = warroom.ChangeKind(kind), warroom.Risk(risk)
			if len(services) == 0 {
				return usageErrorf("--service is required: name at least one service the change touches")
			}
			for _, s := range services {
				svc, err := cl.FindServiceByName(ctx, s)
				if err != nil {
					return err
				}
				ch.ServiceIDs = append(ch.ServiceIDs, svc.ID)
			}
			for _, l := range links {
				ch.Links = append(ch.Links, warroom.ChangeLink{URL: l})
			}
			upd, err := ev.update(c.now())
			if err != nil {
				return err
			}
			upd.ApplyEvidence(&ch.Evidence)
			if err := cl.CreateChange(ctx, &ch); err != nil {
				return err
			}
			out := &ch
			steps := []string{}
			if submit {
				steps = append(steps, "submit")
			}
			if run {
				steps = append(steps, "start")
			}
			for _, s := range steps {
				if out, err = cl.ChangeStep(ctx, ch.ID, s, ""); err != nil {
					fmt.Fprintln(c.stderr, ch.Number)
					return err
				}
			}
			if quiet && !c.json {
				// stdout stays the bare number for scripts; the violations
				// still reach whoever reads the pipeline's log.
				printViolations(c.stderr, out)
				_, err := fmt.Fprintln(c.stdout, out.Number)
				return err
			}
			return c.output(out, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Change %s recorded: %s, risk %s (proposed %s), %s\n", out.Number, out.Kind, out.Risk, out.ProposedRisk, out.State)
				printViolations(w, out)
				return err
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&kind, "kind", string(warroom.ChangeDeploy), "deploy, database_migration, configuration, data_operation, infrastructure or other")
	f.StringArrayVar(&services, "service", nil, "service changed, by name (repeatable)")
	f.StringVar(&ch.Title, "title", "", "what the change is")
	f.StringVar(&ch.Description, "description", "", "details")
	f.StringArrayVar(&links, "link", nil, "pull request, pipeline or ticket URL (repeatable)")
	f.StringVar(&risk, "risk", "", "override the proposed risk: low, medium, high or critical (needs --risk-reason)")
	f.StringVar(&ch.RiskReason, "risk-reason", "", "why the risk differs from the proposal")
	ev.register(cmd)
	f.BoolVarP(&quiet, "quiet", "q", false, "print only the change number, for scripts")
	f.BoolVar(&submit, "submit", false, "submit it for approval right away")
	f.BoolVar(&run, "start", false, "start it right away (refused, exit 1, if the policy requires more)")
	return cmd
}

func (c *cli) newChangeEvidenceCmd() *cobra.Command {
	var ev evidenceFlags
	cmd := &cobra.Command{
		Use:     "evidence CHANGE",
		Short:   "Add evidence to a change",
		Example: `  warroom change evidence CHG-7 --rollback-plan "kubectl rollout undo deploy/checkout"`,
		Args:    args("CHANGE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := changeNumber(a[0])
			if err != nil {
				return err
			}
			upd, err := ev.update(c.now())
			if err != nil {
				return err
			}
			ch, err := c.client().UpdateChange(cmd.Context(), id, upd)
			if err != nil {
				return err
			}
			return c.output(ch, func(w io.Writer) error { return printChange(w, ch) })
		},
	}
	ev.register(cmd)
	return cmd
}

func changeNumber(s string) (int64, error) {
	id, err := warroom.ParseChangeNumber(s)
	if err != nil {
		return 0, usageErrorf("%s", warroom.ErrorMessage(err))
	}
	return id, nil
}

// newChangeStepCmd is one lifecycle step; textFlag, if set, names the flag
// carrying its comment.
func (c *cli) newChangeStepCmd(step, short, textFlag string) *cobra.Command {
	var text string
	cmd := &cobra.Command{
		Use:   step + " CHANGE",
		Short: short,
		Args:  args("CHANGE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := changeNumber(a[0])
			if err != nil {
				return err
			}
			ch, err := c.client().ChangeStep(cmd.Context(), id, step, text)
			if err != nil {
				return err
			}
			return c.output(ch, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "%s is %s\n", ch.Number, ch.State)
				printViolations(w, ch)
				return err
			})
		},
	}
	if textFlag != "" {
		cmd.Flags().StringVar(&text, textFlag, "", "the "+textFlag)
	}
	return cmd
}

// printViolations lists what a change went ahead against the policy with,
// wherever a command may start it, so that record mode is never silent.
func printViolations(w io.Writer, ch *warroom.Change) {
	for _, v := range ch.Violations {
		fmt.Fprintf(w, "  violation (recorded, owners told): %s\n", v.Message)
	}
}

func (c *cli) newChangeListCmd() *cobra.Command {
	var (
		f                    warroom.ChangeFilter
		service, state, kind string
		violated             bool
	)
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List changes, newest first",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl := c.client()
			if service != "" {
				svc, err := cl.FindServiceByName(cmd.Context(), service)
				if err != nil {
					return err
				}
				f.ServiceID = &svc.ID
			}
			for _, s := range strings.Split(state, ",") {
				if s = strings.TrimSpace(s); s != "" {
					f.States = append(f.States, warroom.ChangeState(s))
				}
			}
			if kind != "" {
				k := warroom.ChangeKind(kind)
				f.Kind = &k
			}
			if violated {
				f.Violated = &violated
			}
			cs, total, err := cl.FindChanges(cmd.Context(), f)
			if err != nil {
				return err
			}
			page := listPage[*warroom.Change]{Items: cs, Key: "changes", Total: total, Offset: f.Offset, Limit: pageLimit(f.Limit)}
			return c.output(page, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "CHANGE\tSTATE\tRISK\tKIND\tSERVICES\tSTARTED\tTITLE")
				for _, ch := range cs {
					started := "—"
					if ch.StartedAt != nil {
						started = ch.StartedAt.Local().Format("2006-01-02 15:04")
					}
					flag := ""
					if ch.Violated() {
						flag = " [VIOLATION]"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s%s\n", ch.Number, ch.State, ch.Risk, ch.Kind, serviceNames(ch.Services), started, truncate(ch.Title, 60), flag)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&service, "service", "", "only changes to this service")
	cmd.Flags().StringVar(&state, "state", "", "only these states, comma-separated")
	cmd.Flags().StringVar(&kind, "kind", "", "only this kind")
	cmd.Flags().BoolVar(&violated, "violated", false, "only changes that broke the policy")
	cmd.Flags().IntVar(&f.Limit, "limit", 0, "at most this many (default 50, max 500)")
	cmd.Flags().IntVar(&f.Offset, "offset", 0, "skip this many")
	return cmd
}

func serviceNames(ss []*warroom.Service) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.Name
	}
	return strings.Join(names, ",")
}

func (c *cli) newChangeShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show CHANGE",
		Short: "Show a change, what the policy still requires and its timeline",
		Args:  args("CHANGE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := changeNumber(a[0])
			if err != nil {
				return err
			}
			cl := c.client()
			ch, err := cl.FindChangeByID(cmd.Context(), id)
			if err != nil {
				return err
			}
			if c.json {
				return c.printJSON(ch)
			}
			if err := printChange(c.stdout, ch); err != nil {
				return err
			}
			if !ch.State.Started() && ch.State != warroom.ChangeRejected {
				chk, err := cl.CheckChange(cmd.Context(), id)
				if err != nil {
					return err
				}
				if chk.OK() {
					fmt.Fprintf(c.stdout, "Policy (%s): may start now\n", chk.Rule)
				}
				for _, p := range chk.Problems {
					fmt.Fprintf(c.stdout, "Policy (%s): %s\n", chk.Rule, p.Message)
				}
			}
			evs, err := cl.FindChangeEvents(cmd.Context(), id)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.stdout, "\nTimeline:")
			for _, e := range evs {
				who := e.ActorName
				if who == "" {
					who = "system"
				}
				fmt.Fprintf(c.stdout, "  %s  %-16s %s  %s\n", e.At.Local().Format("2006-01-02 15:04"), e.Kind, who, e.Text)
			}
			return nil
		},
	}
}

func printChange(w io.Writer, ch *warroom.Change) error {
	fmt.Fprintf(w, "%s  %s\n", ch.Number, ch.Title)
	fmt.Fprintf(w, "State: %s   Kind: %s   Risk: %s (proposed %s)   Source: %s\n", ch.State, ch.Kind, ch.Risk, ch.ProposedRisk, ch.Source)
	if ch.RiskReason != "" {
		fmt.Fprintf(w, "Risk reason: %s\n", ch.RiskReason)
	}
	fmt.Fprintf(w, "Services: %s   Author: %s\n", serviceNames(ch.Services), ch.AuthorName)
	e := ch.Evidence
	yes := func(k warroom.EvidenceKind) string {
		if e.Has(k) {
			return "yes"
		}
		return "no"
	}
	fmt.Fprintf(w, "Evidence: test report %s, rollback plan %s, backup %s, production acceptance %s\n",
		yes(warroom.EvidenceTestReport), yes(warroom.EvidenceRollbackPlan), yes(warroom.EvidenceBackup), yes(warroom.EvidenceAcceptance))
	for _, a := range ch.Approvals {
		fmt.Fprintf(w, "%s by %s (%s) %s\n", strings.ToUpper(string(a.Decision[:1]))+string(a.Decision[1:]), a.UserName, a.UserRole, a.Comment)
	}
	for _, v := range ch.Violations {
		fmt.Fprintf(w, "VIOLATION %s: %s\n", v.Code, v.Message)
	}
	for _, l := range ch.Links {
		fmt.Fprintf(w, "Link: %s %s\n", l.URL, l.Title)
	}
	return nil
}
