package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/client"
)

func (c *cli) newStatusCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "status",
		Short: "Post status updates and manage the public status page",
	})
	comp := group(&cobra.Command{Use: "component", Aliases: []string{"components"}, Short: "Status page components"})
	comp.AddCommand(c.newComponentListCmd(), c.newComponentCreateCmd(), c.newComponentSetCmd())
	maint := group(&cobra.Command{Use: "maintenance", Short: "Scheduled maintenance"})
	maint.AddCommand(c.newMaintenanceListCmd(), c.newMaintenanceCreateCmd(), c.newMaintenanceCancelCmd())
	cmd.AddCommand(c.newStatusUpdateCmd(), comp, maint)
	return cmd
}

// componentRef finds a component by ID or by name.
func componentRef(ctx context.Context, cl *client.Client, ref string) (*warroom.Component, error) {
	cs, err := cl.FindComponents(ctx)
	if err != nil {
		return nil, err
	}
	id, _ := strconv.ParseInt(ref, 10, 64)
	for _, cp := range cs {
		if cp.ID == id || strings.EqualFold(cp.Name, ref) {
			return cp, nil
		}
	}
	return nil, warroom.Errorf(warroom.ENOTFOUND, "no component %q", ref)
}

func (c *cli) newStatusUpdateCmd() *cobra.Command {
	var (
		u          warroom.StatusUpdate
		audience   string
		stage      string
		nextIn     time.Duration
		components []string
	)
	cmd := &cobra.Command{
		Use:   "update INC",
		Short: "Post a status update: what happened, the impact, what is being done, the next update",
		Long: `Post a templated status update on an incident. Stakeholder updates (the
default) reach the groups the scope rules name; public updates also go to the
status page, its feed and its subscribers, and need --stage. --next-in sets
the "next update by" timer: the communications role is reminded when it
passes without a newer update.`,
		Example: `  warroom status update INC-7 --what "Checkout fails for card payments" --impact "About 30% of orders" \
    --actions "Failing over to the standby" --next-in 30m
  warroom status update INC-7 --audience public --stage identified --title "Card payments fail" \
    --what "Some card payments fail" --component "Payments API=major_outage"`,
		Args: args("INC"),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			cl := c.client()
			u.Audience, u.PublicStatus = warroom.Audience(audience), warroom.PublicStatus(stage)
			if nextIn > 0 {
				t := c.now().Add(nextIn)
				u.NextUpdateBy = &t
			}
			for _, s := range components {
				name, status, ok := strings.Cut(s, "=")
				if !ok {
					return usageErrorf("--component: %q is not NAME=STATUS", s)
				}
				cp, err := componentRef(ctx, cl, name)
				if err != nil {
					return err
				}
				u.Components = append(u.Components, warroom.ComponentImpact{ComponentID: cp.ID, Status: warroom.ComponentStatus(status)})
			}
			if err := cl.PostStatusUpdate(ctx, a[0], &u); err != nil {
				return err
			}
			return c.output(&u, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "%s update posted on %s\n", u.Audience, warroom.FormatNumber(u.IncidentID))
				return err
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&audience, "audience", "stakeholder", "internal, stakeholder or public")
	f.StringVar(&u.WhatHappened, "what", "", "what happened (required)")
	f.StringVar(&u.Impact, "impact", "", "who or what is affected")
	f.StringVar(&u.Actions, "actions", "", "what is being done")
	f.DurationVar(&nextIn, "next-in", 0, "promise the next update within this long, e.g. 30m")
	f.StringVar(&stage, "stage", "", "public stage: investigating, identified, monitoring or resolved")
	f.StringVar(&u.PublicTitle, "title", "", "public title (default: the incident's title)")
	f.BoolVar(&u.RealWorld, "real-world", false, "on a drill: send this one public update to the real status page and its subscribers (audited)")
	f.StringArrayVar(&components, "component", nil, "NAME=STATUS for a public update, repeatable")
	return cmd
}

func (c *cli) newComponentListCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List components with their status",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cs, err := c.client().FindComponents(cmd.Context())
			if err != nil {
				return err
			}
			return c.output(map[string]any{"components": cs}, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tGROUP\tNAME\tSTATUS")
				for _, cp := range cs {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", cp.ID, cp.Group, cp.Name, cp.Status)
				}
				return tw.Flush()
			})
		},
	}
}

func (c *cli) newComponentCreateCmd() *cobra.Command {
	var cp warroom.Component
	var service int64
	cmd := &cobra.Command{
		Use:     "create NAME",
		Short:   "Add a component to the status page (admin)",
		Example: `  warroom status component create "Payments API" --group Core --service-id 3`,
		Args:    args("NAME"),
		RunE: func(cmd *cobra.Command, a []string) error {
			cp.Name = a[0]
			if service > 0 {
				cp.ServiceID = &service
			}
			if err := c.client().CreateComponent(cmd.Context(), &cp); err != nil {
				return err
			}
			return c.output(&cp, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Component %s created (ID %d)\n", cp.Name, cp.ID)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&cp.Group, "group", "", "heading the component is shown under")
	cmd.Flags().StringVar(&cp.Description, "description", "", "what it is, for customers")
	cmd.Flags().Int64Var(&service, "service-id", 0, "the catalog service it maps to")
	cmd.Flags().IntVar(&cp.Position, "position", 0, "order within its group")
	return cmd
}

func (c *cli) newComponentSetCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "set COMPONENT STATUS",
		Short:   "Set a component's status: operational, degraded, partial_outage, major_outage or maintenance",
		Example: `  warroom status component set "Payments API" degraded`,
		Args:    args("COMPONENT", "STATUS"),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			cl := c.client()
			cp, err := componentRef(ctx, cl, a[0])
			if err != nil {
				return err
			}
			s := warroom.ComponentStatus(a[1])
			cp, err = cl.UpdateComponent(ctx, cp.ID, warroom.ComponentUpdate{Status: &s})
			if err != nil {
				return err
			}
			return c.output(cp, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "%s is now %s\n", cp.Name, cp.Status)
				return err
			})
		},
	}
}

// futureTime reads an RFC 3339 time or a duration from now ("2h").
func futureTime(flag, s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(d), nil
	}
	return time.Time{}, usageErrorf("%s: %q is neither a time (2025-01-02T15:04:05Z) nor a duration from now (2h)", flag, s)
}

func (c *cli) newMaintenanceCreateCmd() *cobra.Command {
	var (
		m          warroom.Maintenance
		start, end string
		components []string
	)
	cmd := &cobra.Command{
		Use:     "create TITLE",
		Short:   "Schedule maintenance; subscribers are told",
		Example: `  warroom status maintenance create "Database upgrade" --start 2025-06-01T01:00:00Z --end 2025-06-01T03:00:00Z --component "Payments API"`,
		Args:    args("TITLE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			cl := c.client()
			var err error
			m.Title = a[0]
			if m.StartsAt, err = futureTime("--start", start, c.now()); err != nil {
				return err
			}
			if m.EndsAt, err = futureTime("--end", end, c.now()); err != nil {
				return err
			}
			for _, ref := range components {
				cp, err := componentRef(ctx, cl, ref)
				if err != nil {
					return err
				}
				m.ComponentIDs = append(m.ComponentIDs, cp.ID)
			}
			if err := cl.CreateMaintenance(ctx, &m); err != nil {
				return err
			}
			return c.output(&m, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Maintenance %d scheduled: %s – %s\n", m.ID, m.StartsAt.Format(time.RFC3339), m.EndsAt.Format(time.RFC3339))
				return err
			})
		},
	}
	cmd.Flags().StringVar(&start, "start", "", "when it starts (RFC 3339 or a duration from now)")
	cmd.Flags().StringVar(&end, "end", "", "when it ends")
	cmd.Flags().StringVar(&m.Body, "body", "", "what customers should know")
	cmd.Flags().StringArrayVar(&components, "component", nil, "affected component, repeatable")
	return cmd
}

func (c *cli) newMaintenanceListCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List current and upcoming maintenance",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ms, err := c.client().FindMaintenances(cmd.Context(), c.now())
			if err != nil {
				return err
			}
			return c.output(map[string]any{"maintenances": ms}, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSTARTS\tENDS\tTITLE")
				for _, m := range ms {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", m.ID, m.StartsAt.Format(time.RFC3339), m.EndsAt.Format(time.RFC3339), m.Title)
				}
				return tw.Flush()
			})
		},
	}
}

func (c *cli) newMaintenanceCancelCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "cancel ID",
		Short: "Cancel scheduled maintenance",
		Args:  args("ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := parseID(a[0], "maintenance", "warroom status maintenance list")
			if err != nil {
				return err
			}
			if err := c.client().CancelMaintenance(cmd.Context(), id); err != nil {
				return err
			}
			_, err = fmt.Fprintf(c.stdout, "Maintenance %d cancelled\n", id)
			return err
		},
	}
}
