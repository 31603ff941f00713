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

func (c *cli) newWebhookCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "webhook",
		Aliases: []string{"webhooks"},
		Short:   "Send incident events to outside endpoints, signed (admin)",
		Long: `Subscribe endpoints to incident, alert, change, postmortem and action-item
events. Each event is queued in the transaction that records it and POSTed
as signed JSON, in order per incident, with retries and back-off; every
attempt is logged with the endpoint's status code. See docs/automation.md.`,
	})
	cmd.AddCommand(c.newWebhookCreateCmd(), c.newWebhookListCmd(), c.newWebhookSetCmd(), c.newWebhookRotateCmd(),
		c.newWebhookDeleteCmd(), c.newWebhookDeliveriesCmd(), c.newWebhookShowDeliveryCmd(), c.newWebhookRedeliverCmd(),
		c.newWebhookEventsCmd())
	return cmd
}

// webhookFilters are the filter flags create and set share.
type webhookFilters struct {
	events, severities, types, services []string
	drills, paused                      bool
}

func (f *webhookFilters) register(cmd *cobra.Command) {
	cmd.Flags().StringSliceVar(&f.events, "event", nil, "event type, e.g. incident.declared (repeatable; default every type; see `warroom webhook events`)")
	cmd.Flags().StringSliceVar(&f.severities, "severity", nil, "only incidents of this severity (repeatable)")
	cmd.Flags().StringSliceVar(&f.types, "type", nil, "only incidents of this type (repeatable)")
	cmd.Flags().StringSliceVar(&f.services, "service", nil, "only incidents affecting this service, a name or ID (repeatable)")
	cmd.Flags().BoolVar(&f.drills, "drills", false, "send drill incidents' events too")
	cmd.Flags().BoolVar(&f.paused, "paused", false, "queue nothing until resumed")
}

func hookTypes(in []string) []warroom.HookEventType {
	out := make([]warroom.HookEventType, 0, len(in))
	for _, v := range in {
		out = append(out, warroom.HookEventType(strings.TrimSpace(v)))
	}
	return out
}

func (c *cli) newWebhookCreateCmd() *cobra.Command {
	var f webhookFilters
	cmd := &cobra.Command{
		Use:   "create NAME URL",
		Short: "Subscribe an endpoint; its signing secret is printed once",
		Example: `  warroom webhook create tickets https://tickets.example.com/hooks/warroom --event incident.declared --severity P0 --severity P1
  warroom webhook create audit-bus https://bus.example.com/in`,
		Args: args("NAME", "URL"),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			cl := c.client()
			ids, err := serviceIDs(ctx, cl, f.services)
			if err != nil {
				return err
			}
			s := &warroom.HookSubscription{Name: a[0], URL: a[1], EventTypes: hookTypes(f.events), ServiceIDs: ids, Drills: f.drills, Active: !f.paused}
			for _, v := range f.severities {
				s.Severities = append(s.Severities, warroom.Severity(strings.ToUpper(v)))
			}
			for _, v := range f.types {
				s.IncidentTypes = append(s.IncidentTypes, warroom.IncidentType(v))
			}
			if err := cl.CreateHookSubscription(ctx, s); err != nil {
				return err
			}
			return c.output(s, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Webhook %s created (ID %d)\nsecret: %s\n(shown once: verify X-Warroom-Signature with it)\n", s.Name, s.ID, s.Secret)
				return err
			})
		},
	}
	f.register(cmd)
	return cmd
}

func hookHealth(s *warroom.HookSubscription) string {
	switch {
	case !s.Active:
		return "paused"
	case s.Failing():
		return fmt.Sprintf("failing (%d)", s.ConsecutiveFailures)
	case s.LastSuccessAt == nil:
		return "no deliveries yet"
	}
	return "healthy"
}

func orEvery[T ~string](vs []T) string {
	if len(vs) == 0 {
		return "every"
	}
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = string(v)
	}
	return strings.Join(parts, ",")
}

func (c *cli) newWebhookListCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List subscriptions with each endpoint's health",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			subs, err := c.client().FindHookSubscriptions(cmd.Context())
			if err != nil {
				return err
			}
			return c.output(map[string]any{"webhooks": subs}, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tURL\tEVENTS\tSEVERITIES\tHEALTH\tPENDING\tLAST STATUS")
				for _, s := range subs {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n", s.ID, s.Name, s.URL, orEvery(s.EventTypes), orEvery(s.Severities), hookHealth(s), s.Pending, s.LastStatus)
				}
				return tw.Flush()
			})
		},
	}
}

func (c *cli) newWebhookSetCmd() *cobra.Command {
	var (
		f         webhookFilters
		name, url string
		resume    bool
	)
	cmd := &cobra.Command{
		Use:   "set ID",
		Short: "Change a subscription's name, URL, filters, or pause and resume it",
		Example: `  warroom webhook set 3 --paused
  warroom webhook set 3 --resume --severity P0`,
		Args: args("ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := parseID(a[0], "webhook", "")
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			cl := c.client()
			var upd warroom.HookSubscriptionUpdate
			fl := cmd.Flags()
			if fl.Changed("name") {
				upd.Name = &name
			}
			if fl.Changed("url") {
				upd.URL = &url
			}
			if fl.Changed("event") {
				t := hookTypes(f.events)
				upd.EventTypes = &t
			}
			if fl.Changed("severity") {
				sevs := []warroom.Severity{}
				for _, v := range f.severities {
					sevs = append(sevs, warroom.Severity(strings.ToUpper(v)))
				}
				upd.Severities = &sevs
			}
			if fl.Changed("type") {
				ts := []warroom.IncidentType{}
				for _, v := range f.types {
					ts = append(ts, warroom.IncidentType(v))
				}
				upd.IncidentTypes = &ts
			}
			if fl.Changed("service") {
				ids, err := serviceIDs(ctx, cl, f.services)
				if err != nil {
					return err
				}
				upd.ServiceIDs = &ids
			}
			if fl.Changed("drills") {
				upd.Drills = &f.drills
			}
			if f.paused && resume {
				return &usageError{fmt.Errorf("--paused and --resume contradict each other")}
			} else if f.paused || resume {
				active := resume
				upd.Active = &active
			}
			s, err := cl.UpdateHookSubscription(ctx, id, upd)
			if err != nil {
				return err
			}
			return c.output(s, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Webhook %s: %s\n", s.Name, hookHealth(s))
				return err
			})
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&name, "name", "", "new name")
	cmd.Flags().StringVar(&url, "url", "", "new URL")
	cmd.Flags().BoolVar(&resume, "resume", false, "queue events again")
	return cmd
}

func (c *cli) newWebhookRotateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "rotate ID",
		Short: "Replace the signing secret; the new one is printed once",
		Args:  args("ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := parseID(a[0], "webhook", "")
			if err != nil {
				return err
			}
			s, err := c.client().RotateHookSecret(cmd.Context(), id)
			if err != nil {
				return err
			}
			return c.output(s, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Webhook %s has a new secret: %s\n", s.Name, s.Secret)
				return err
			})
		},
	}
}

func (c *cli) newWebhookDeleteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "delete ID",
		Short: "Remove a subscription with its queue and delivery log",
		Args:  args("ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := parseID(a[0], "webhook", "")
			if err != nil {
				return err
			}
			if err := c.client().DeleteHookSubscription(cmd.Context(), id); err != nil {
				return err
			}
			return c.output(map[string]any{"deleted": id}, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Webhook %d deleted\n", id)
				return err
			})
		},
	}
}

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func (c *cli) newWebhookDeliveriesCmd() *cobra.Command {
	var state string
	var limit int
	cmd := &cobra.Command{
		Use:   "deliveries ID",
		Short: "A subscription's delivery log, newest first",
		Args:  args("ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := parseID(a[0], "webhook", "")
			if err != nil {
				return err
			}
			ds, total, err := c.client().FindHookDeliveries(cmd.Context(), id, state, 0, limit)
			if err != nil {
				return err
			}
			p := listPage[*warroom.HookDelivery]{Items: ds, Key: "deliveries", Total: total, Limit: limit}
			return c.output(p, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tINCIDENT\tEVENT\tSTATE\tATTEMPTS\tSTATUS\tNEXT\tERROR")
				for _, d := range ds {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", d.ID, d.IncidentNumber, d.EventType, d.State, d.Attempts, d.LastStatus, when(d.NextAt), d.LastError)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&state, "state", "", "pending, delivered or failed")
	cmd.Flags().IntVar(&limit, "limit", 50, "how many")
	return cmd
}

func (c *cli) newWebhookShowDeliveryCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "delivery ID",
		Short: "One delivery: its body and every attempt with the endpoint's status code",
		Args:  args("ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := parseID(a[0], "delivery", "")
			if err != nil {
				return err
			}
			d, err := c.client().FindHookDeliveryByID(cmd.Context(), id)
			if err != nil {
				return err
			}
			return c.output(d, func(w io.Writer) error {
				fmt.Fprintf(w, "Delivery %d: %s of %s, %s after %d attempts\n", d.ID, d.EventType, d.IncidentNumber, d.State, d.Attempts)
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "AT\tSTATUS\tMS\tREDELIVERY\tERROR")
				for _, at := range d.Log {
					fmt.Fprintf(tw, "%s\t%d\t%d\t%t\t%s\n", at.At.UTC().Format(time.RFC3339), at.Status, at.DurationMS, at.Redelivery, at.Error)
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				if d.Body != "" {
					fmt.Fprintf(w, "body: %s\n", d.Body)
				}
				return nil
			})
		},
	}
}

func (c *cli) newWebhookRedeliverCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "redeliver DELIVERY-ID",
		Short: "Send a delivered or failed delivery again, with the same body and ID",
		Args:  args("DELIVERY-ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := parseID(a[0], "delivery", "")
			if err != nil {
				return err
			}
			d, err := c.client().RedeliverHook(cmd.Context(), id)
			if err != nil {
				return err
			}
			return c.output(d, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Delivery %d queued again\n", d.ID)
				return err
			})
		},
	}
}

func (c *cli) newWebhookEventsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "events",
		Short: "List the event types a subscription may ask for",
		Args:  args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ts := warroom.HookEventTypes()
			return c.output(map[string]any{"event_types": ts}, func(w io.Writer) error {
				for _, t := range ts {
					fmt.Fprintln(w, t)
				}
				return nil
			})
		},
	}
}
