package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
)

func (c *cli) newIntegrationCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "integration",
		Aliases: []string{"integrations"},
		Short:   "Manage the keys monitoring systems send alerts with (admin)",
	})
	cmd.AddCommand(c.newIntegrationCreateCmd(), c.newIntegrationListCmd(),
		c.newIntegrationChangeCmd("rotate", "Replace a key; the old one stops working"),
		c.newIntegrationChangeCmd("revoke", "Stop a key for good"))
	return cmd
}

// ingestURL is where a kind's alerts go, with the key where it belongs.
func (c *cli) ingestURL(in *warroom.Integration) string {
	base := strings.TrimRight(c.cfg.Server, "/") + in.Kind.IngestPath()
	if in.Kind == warroom.IntegrationPagerDuty {
		return base + "   (routing_key: " + in.Key + ")"
	}
	return base + "?key=" + in.Key
}

func (c *cli) newIntegrationCreateCmd() *cobra.Command {
	var (
		kind, secret string
		rate         int
	)
	cmd := &cobra.Command{
		Use:   "create SERVICE NAME",
		Short: "Add an integration key to a service",
		Example: `  warroom integration create payments prometheus --kind alertmanager
  warroom integration create payments grafana --kind grafana --secret "$HMAC_SECRET"`,
		Args: args("SERVICE", "NAME"),
		RunE: func(cmd *cobra.Command, a []string) error {
			var rl *int
			if cmd.Flags().Changed("rate-limit") {
				rl = &rate
			}
			in, err := c.client().CreateIntegration(cmd.Context(), a[0], a[1], warroom.IntegrationKind(kind), secret, rl)
			if err != nil {
				return err
			}
			return c.output(in, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Integration %s created (ID %d, %s)\nkey: %s\nsend to: %s\n", in.Name, in.ID, in.Kind, in.Key, c.ingestURL(in))
				return err
			})
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "generic", "pagerduty, alertmanager, grafana or generic")
	cmd.Flags().StringVar(&secret, "secret", "", "Grafana HMAC secret: unsigned requests are then refused")
	cmd.Flags().IntVar(&rate, "rate-limit", warroom.DefaultRateLimit, "events per minute before 429; 0 for no limit")
	return cmd
}

func (c *cli) newIntegrationListCmd() *cobra.Command {
	var service string
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List integration keys",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			is, total, err := c.client().FindIntegrations(cmd.Context(), service, 0, warroom.MaxPageSize)
			if err != nil {
				return err
			}
			p := listPage[*warroom.Integration]{Items: is, Key: "integrations", Total: total, Limit: warroom.MaxPageSize}
			return c.output(p, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSERVICE\tNAME\tKIND\tKEY\tSTATE")
				for _, in := range is {
					state := "active"
					if !in.Active() {
						state = "revoked"
					}
					fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\n", in.ID, in.ServiceID, in.Name, in.Kind, in.Key, state)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&service, "service", "", "only this service's keys")
	return cmd
}

func (c *cli) newIntegrationChangeCmd(verb, short string) *cobra.Command {
	return &cobra.Command{
		Use:   verb + " ID",
		Short: short,
		Args:  args("ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := parseID(a[0], "integration", "")
			if err != nil {
				return err
			}
			cl := c.client()
			change := cl.RotateIntegrationKey
			if verb == "revoke" {
				change = cl.RevokeIntegration
			}
			in, err := change(cmd.Context(), id)
			if err != nil {
				return err
			}
			return c.output(in, func(w io.Writer) error {
				if verb == "revoke" {
					_, err := fmt.Fprintf(w, "Integration %s revoked\n", in.Name)
					return err
				}
				_, err := fmt.Fprintf(w, "Integration %s has a new key: %s\nsend to: %s\n", in.Name, in.Key, c.ingestURL(in))
				return err
			})
		},
	}
}
