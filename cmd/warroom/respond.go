package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
)

// newTransitionCmd returns a command that moves an incident to one state.
func (c *cli) newTransitionCmd(name string, to warroom.State, short string) *cobra.Command {
	var note string
	cmd := &cobra.Command{
		Use:   name + " INC",
		Short: short,
		Args:  args("INC"),
		RunE: func(cmd *cobra.Command, a []string) error {
			return c.transition(cmd, a[0], to, note)
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "a note recorded on the timeline with the change")
	return cmd
}

func (c *cli) newStateCmd() *cobra.Command {
	var note string
	cmd := &cobra.Command{
		Use:   "state INC STATE",
		Short: "Move an incident to any legal next state (" + stateNames(warroom.States) + ")",
		Args:  args("INC", "STATE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			to := warroom.State(strings.ToLower(a[1]))
			if !to.Valid() {
				return usageErrorf("unknown state %q (want one of %s)", a[1], stateNames(warroom.States))
			}
			return c.transition(cmd, a[0], to, note)
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "a note recorded on the timeline with the change")
	return cmd
}

func (c *cli) transition(cmd *cobra.Command, ref string, to warroom.State, note string) error {
	inc, err := c.client().TransitionIncident(cmd.Context(), ref, to, note)
	if err != nil {
		return err
	}
	return c.output(inc, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "%s is now %s (next: %s)\n", inc.Number, inc.State, stateNames(inc.State.NextStates()))
		return err
	})
}

func (c *cli) newUpdateCmd() *cobra.Command {
	var (
		title, summary, typ string
		services            []string
		impact              impactFlags
		loss                lossFlags
	)
	cmd := &cobra.Command{
		Use:   "update INC [flags]",
		Short: "Change an incident's title, summary, type, services, impact or loss",
		Long: `Change an incident's descriptive fields. Impact flags change only the
numbers given; a change of impact makes the matrix propose the severity again.`,
		Example: `  warroom incident update INC-7 --users-affected 150000
  warroom incident update INC-7 --money-lost "20000000 CNY" --downtime 2h30m`,
		Args: args("INC"),
		RunE: func(cmd *cobra.Command, a []string) error {
			fs := cmd.Flags()
			var upd warroom.IncidentUpdate
			if fs.Changed("title") {
				upd.Title = &title
			}
			if fs.Changed("summary") {
				upd.Summary = &summary
			}
			if fs.Changed("type") {
				t := warroom.IncidentType(typ)
				upd.Type = &t
			}
			ctx := cmd.Context()
			cl := c.client()
			if fs.Changed("service") {
				ids, err := serviceIDs(ctx, cl, services)
				if err != nil {
					return err
				}
				upd.ServiceIDs = &ids
			}
			// Impact and loss are replaced whole by the API, so the flags are
			// applied to the current values.
			var (
				im warroom.Impact
				l  warroom.Loss
			)
			if impactGiven(fs) || lossGiven(fs) {
				inc, err := cl.FindIncidentByID(ctx, a[0])
				if err != nil {
					return err
				}
				im, l = inc.Impact, inc.Loss
			}
			if changed, err := impact.apply(fs, &im); err != nil {
				return err
			} else if changed {
				upd.Impact = &im
			}
			if changed, err := loss.apply(fs, &l); err != nil {
				return err
			} else if changed {
				upd.Loss = &l
			}
			if upd == (warroom.IncidentUpdate{}) {
				return usageErrorf("nothing to update: give at least one flag")
			}
			inc, err := cl.UpdateIncident(ctx, a[0], upd)
			if err != nil {
				return err
			}
			return c.output(inc, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "%s updated: %s\n", inc.Number, severityLine(inc))
				return err
			})
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&title, "title", "", "new title")
	fs.StringVar(&summary, "summary", "", "new summary")
	fs.StringVar(&typ, "type", "", "new type")
	fs.StringSliceVar(&services, "service", nil, "the affected services, replacing the current ones (repeatable)")
	impact.register(fs)
	loss.register(fs)
	return cmd
}

func impactGiven(fs interface{ Changed(string) bool }) bool {
	for _, f := range []string{"users-affected", "orders-affected", "money", "currency", "compliance", "recovery-path", "no-recovery-path"} {
		if fs.Changed(f) {
			return true
		}
	}
	return false
}

func lossGiven(fs interface{ Changed(string) bool }) bool {
	for _, f := range []string{"money-lost", "compensation", "orders-lost", "downtime", "loss-note"} {
		if fs.Changed(f) {
			return true
		}
	}
	return false
}

func (c *cli) newSeverityCmd() *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "severity INC P0-P4",
		Short: "Set the severity by hand (a reason is needed when it differs from the proposal)",
		Args:  args("INC", "SEVERITY"),
		RunE: func(cmd *cobra.Command, a []string) error {
			sev, err := warroom.ParseSeverity(a[1])
			if err != nil {
				return usageErrorf("%v", err)
			}
			inc, err := c.client().SetSeverity(cmd.Context(), a[0], sev, reason)
			if err != nil {
				return err
			}
			return c.output(inc, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "%s is now %s\n", inc.Number, severityLine(inc))
				return err
			})
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why the severity differs from the proposal")
	return cmd
}

func (c *cli) newNoteCmd() *cobra.Command {
	var public, status bool
	cmd := &cobra.Command{
		Use:   "note INC TEXT...",
		Short: "Add a note, or with --status/--public a status update, to the timeline",
		Long: `Add an internal note to an incident's timeline. --status makes it a status
update for stakeholders; --public makes it a status update shown on the public
status page. TEXT "-" reads the text from standard input.`,
		Args: argsAtLeast("INC", "TEXT"),
		RunE: func(cmd *cobra.Command, a []string) error {
			text := strings.Join(a[1:], " ")
			if text == "-" {
				b, err := io.ReadAll(io.LimitReader(c.stdin, warroom.MaxTextLen*4+1))
				if err != nil {
					return err
				}
				text = string(b)
			}
			note := warroom.NoteInput{Kind: warroom.EventNote, Text: text, Visibility: warroom.VisibilityInternal}
			if status || public {
				note.Kind = warroom.EventStatusUpdate
			}
			if public {
				note.Visibility = warroom.VisibilityPublic
			}
			ev, err := c.client().AddNote(cmd.Context(), a[0], note)
			if err != nil {
				return err
			}
			return c.output(ev, func(w io.Writer) error {
				what := "Note"
				if note.Kind == warroom.EventStatusUpdate {
					what = "Status update (" + string(note.Visibility) + ")"
				}
				_, err := fmt.Fprintf(w, "%s added to %s\n", what, warroom.FormatNumber(ev.IncidentID))
				return err
			})
		},
	}
	cmd.Flags().BoolVar(&status, "status", false, "post a status update for stakeholders instead of a note")
	cmd.Flags().BoolVar(&public, "public", false, "post a public status update (shown on the status page)")
	return cmd
}

func (c *cli) newEventsCmd() *cobra.Command {
	var (
		f     warroom.EventFilter
		kinds []string
	)
	cmd := &cobra.Command{
		Use:     "events INC",
		Aliases: []string{"timeline"},
		Short:   "Show an incident's timeline, oldest first",
		Args:    args("INC"),
		RunE: func(cmd *cobra.Command, a []string) error {
			for _, k := range kinds {
				f.Kinds = append(f.Kinds, warroom.EventKind(k))
			}
			f.Ascending = true
			events, total, err := c.client().FindEvents(cmd.Context(), a[0], f)
			if err != nil {
				return err
			}
			page := listPage[*warroom.Event]{Items: events, Key: "events", Total: total, Offset: f.Offset, Limit: pageLimit(f.Limit)}
			return c.output(page, func(w io.Writer) error {
				if err := writeEvents(w, events); err != nil {
					return err
				}
				if shown := f.Offset + len(events); shown < total {
					fmt.Fprintf(w, "%d of %d shown; more with --offset %d\n", len(events), total, shown)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringSliceVar(&kinds, "kind", nil, "only these kinds, e.g. note,status_update,state_changed")
	cmd.Flags().IntVar(&f.Limit, "limit", 0, "at most this many (default 50, max 500)")
	cmd.Flags().IntVar(&f.Offset, "offset", 0, "skip this many")
	return cmd
}
