package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
)

func (c *cli) newPostmortemCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "postmortem",
		Aliases: []string{"pm"},
		Short:   "Start, show and export an incident's blameless postmortem",
	})
	cmd.AddCommand(c.newPostmortemCreateCmd(), c.newPostmortemShowCmd(), c.newPostmortemExportCmd())
	return cmd
}

func (c *cli) newPostmortemCreateCmd() *cobra.Command {
	var template int64
	cmd := &cobra.Command{
		Use:   "create INC",
		Short: "Start an incident's postmortem from a template, importing its timeline",
		Args:  args("INC"),
		RunE: func(cmd *cobra.Command, a []string) error {
			var tid *int64
			if template > 0 {
				tid = &template
			}
			p, err := c.client().CreatePostmortem(cmd.Context(), a[0], tid)
			if err != nil {
				return err
			}
			return c.output(p, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Postmortem #%d of %s started (draft).\n", p.ID, p.Incident.Number)
				return err
			})
		},
	}
	cmd.Flags().Int64Var(&template, "template", 0, "template ID (default: the default template)")
	return cmd
}

func (c *cli) newPostmortemShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show INC",
		Short: "Show an incident's postmortem: status, key moments, whys, action items, hints",
		Args:  args("INC"),
		RunE: func(cmd *cobra.Command, a []string) error {
			p, err := c.client().FindPostmortemByIncident(cmd.Context(), a[0])
			if err != nil {
				return err
			}
			return c.output(p, func(w io.Writer) error { return writePostmortem(w, p) })
		},
	}
}

func writePostmortem(w io.Writer, p *warroom.Postmortem) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Postmortem #%d\t%s %s\n", p.ID, p.Incident.Number, p.Incident.Title)
	fmt.Fprintf(tw, "Status\t%s (%d approval(s))\n", p.Status, p.Approvals())
	fmt.Fprintf(tw, "Author\t%s\n", p.AuthorName)
	if p.DueAt != nil {
		fmt.Fprintf(tw, "Due\t%s\n", p.DueAt.Format("2006-01-02 15:04 MST"))
	}
	if p.CauseCategory != "" {
		fmt.Fprintf(tw, "Cause\t%s %s\n", p.CauseCategory, p.CauseSubcategory)
	}
	for _, m := range p.KeyMoments {
		at := "—"
		if m.At != nil {
			at = m.At.Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(tw, "  %s\t%s\t+%ds\n", m.Name, at, m.GapSeconds)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if p.Summary != "" {
		fmt.Fprintf(w, "\n%s\n", p.Summary)
	}
	if len(p.Whys) > 0 {
		fmt.Fprintln(w, "\nFive whys:")
		for i, y := range p.Whys {
			fmt.Fprintf(w, "  %d. %s\n     %s\n", i+1, y.Question, y.Answer)
		}
	}
	if len(p.ActionItems) > 0 {
		fmt.Fprintln(w, "\nAction items:")
		writeActionItems(w, p.ActionItems)
	}
	for _, h := range p.Hints {
		fmt.Fprintf(w, "hint: %s mentions %q (%s): describe what allowed it, not who\n", h.Field, h.Term, h.Kind)
	}
	return nil
}

func (c *cli) newPostmortemExportCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "export INC",
		Short: "Print an incident's postmortem as Markdown or printable HTML",
		Example: `  warroom postmortem export INC-42 --format md > INC-42.md
  warroom postmortem export INC-42 --format html > INC-42.html   # print to PDF from a browser`,
		Args: args("INC"),
		RunE: func(cmd *cobra.Command, a []string) error {
			if format != "md" && format != "html" {
				return usageErrorf("--format must be md or html, got %q", format)
			}
			cl := c.client()
			p, err := cl.FindPostmortemByIncident(cmd.Context(), a[0])
			if err != nil {
				return err
			}
			b, err := cl.ExportPostmortem(cmd.Context(), p.ID, format)
			if err != nil {
				return err
			}
			_, err = c.stdout.Write(b)
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", "md", "md or html")
	return cmd
}

func (c *cli) newActionCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "action",
		Aliases: []string{"actions"},
		Short:   "List and complete postmortem action items",
	})
	cmd.AddCommand(c.newActionListCmd(), c.newActionDoneCmd())
	return cmd
}

func (c *cli) newActionListCmd() *cobra.Command {
	var owner string
	var all bool
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List open action items, yours by default",
		Args:    args(),
		RunE: func(cmd *cobra.Command, a []string) error {
			statuses := []warroom.ActionItemStatus{warroom.ActionOpen, warroom.ActionInProgress}
			if all {
				statuses = nil
			}
			items, total, err := c.client().FindActionItems(cmd.Context(), owner, statuses, 0, warroom.MaxPageSize)
			if err != nil {
				return err
			}
			if c.json {
				return c.printJSON(listPage[*warroom.ActionItem]{Items: items, Key: "action_items", Total: total, Limit: warroom.MaxPageSize})
			}
			if len(items) == 0 {
				_, err := fmt.Fprintln(c.stdout, "No action items.")
				return err
			}
			writeActionItems(c.stdout, items)
			return nil
		},
	}
	cmd.Flags().StringVar(&owner, "owner", "me", "whose: a user ID, \"me\" or \"\" for everyone's")
	cmd.Flags().BoolVar(&all, "all", false, "include done and won't-do items")
	return cmd
}

func writeActionItems(w io.Writer, items []*warroom.ActionItem) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ID\tINCIDENT\tDUE\tSTATUS\tKIND\tOWNER\tTITLE")
	for _, a := range items {
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, warroom.FormatNumber(a.IncidentID), a.DueDate.Format("2006-01-02"), a.Status, a.Kind, a.OwnerName, a.Title)
	}
	_ = tw.Flush()
}

func (c *cli) newActionDoneCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "done ID",
		Short: "Mark an action item done",
		Args:  args("ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := parseID(a[0], "action item", "warroom action list")
			if err != nil {
				return err
			}
			done := warroom.ActionDone
			item, err := c.client().UpdateActionItem(cmd.Context(), id, warroom.ActionItemUpdate{Status: &done})
			if err != nil {
				return err
			}
			return c.output(item, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Action item #%d done: %s\n", item.ID, item.Title)
				return err
			})
		},
	}
}

func (c *cli) newSearchCmd() *cobra.Command {
	var service, typ, cause, severity string
	var limit int
	cmd := &cobra.Command{
		Use:   "search QUERY...",
		Short: "Search past incidents, notes, status updates and postmortems (Chinese and English)",
		Args:  argsAtLeast("QUERY"),
		RunE: func(cmd *cobra.Command, a []string) error {
			q := warroom.SearchQuery{Text: strings.Join(a, " "), Limit: limit}
			if typ != "" {
				t := warroom.IncidentType(typ)
				q.Type = &t
			}
			if cause != "" {
				cc := warroom.CauseCategory(cause)
				q.CauseCategory = &cc
			}
			for _, s := range strings.Split(severity, ",") {
				if s = strings.TrimSpace(s); s != "" {
					sev, err := warroom.ParseSeverity(s)
					if err != nil {
						return usageErrorf("--severity: %v", err)
					}
					q.Severities = append(q.Severities, sev)
				}
			}
			hits, total, err := c.client().Search(cmd.Context(), q, service)
			if err != nil {
				return err
			}
			if c.json {
				return c.printJSON(listPage[*warroom.SearchHit]{Items: hits, Key: "hits", Total: total, Limit: pageLimit(limit)})
			}
			if len(hits) == 0 {
				_, err := fmt.Fprintln(c.stdout, "Nothing found.")
				return err
			}
			for _, h := range hits {
				fmt.Fprintf(c.stdout, "%s %s [%s %s] %s\n    %s\n", h.IncidentNumber, h.At.Format("2006-01-02"), h.Severity, h.DocType, h.IncidentTitle, h.Snippet)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&service, "service", "", "only incidents of this service (ID or name)")
	cmd.Flags().StringVar(&typ, "type", "", "only incidents of this type")
	cmd.Flags().StringVar(&cause, "cause", "", "only incidents whose postmortem names this cause category")
	cmd.Flags().StringVar(&severity, "severity", "", "only these severities, e.g. P0,P1")
	cmd.Flags().IntVar(&limit, "limit", 20, "hits to show")
	return cmd
}
