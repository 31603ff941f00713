package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
)

func (c *cli) newContactCmd() *cobra.Command {
	cmd := group(&cobra.Command{Use: "contact", Aliases: []string{"contacts"}, Short: "Your contact methods and notification rules"})
	cmd.AddCommand(c.newContactListCmd(), c.newContactAddCmd(), c.newContactVerifyCmd(), c.newContactTestCmd(), c.newContactRuleCmd())
	return cmd
}

func (c *cli) newContactListCmd() *cobra.Command {
	return &cobra.Command{
		Use: "list", Aliases: []string{"ls"}, Short: "List your contact methods", Args: args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			me, err := c.client().Me(cmd.Context())
			if err != nil {
				return err
			}
			cms, err := c.client().FindContactMethods(cmd.Context(), me.ID)
			if err != nil {
				return err
			}
			return c.output(map[string]any{"contact_methods": cms}, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tTYPE\tNAME\tVERIFIED\tADDRESS")
				for _, m := range cms {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%t\t%s\n", m.ID, m.Type, m.Name, m.Verified(), truncate(m.Address, 60))
				}
				return tw.Flush()
			})
		},
	}
}

func (c *cli) newContactAddCmd() *cobra.Command {
	var secret string
	cmd := &cobra.Command{
		Use:     "add TYPE NAME ADDRESS",
		Short:   "Add a contact method; a verification code is sent to it",
		Example: "  warroom contact add email work ana@example.com\n  warroom contact add sms mobile '+86 138 1234 5678'\n  warroom contact add voice mobile +8613812345678\n  warroom contact add dingtalk oncall-group 'https://oapi.dingtalk.com/robot/send?access_token=…' --secret SEC…",
		Args:    args("TYPE", "NAME", "ADDRESS"),
		RunE: func(cmd *cobra.Command, a []string) error {
			me, err := c.client().Me(cmd.Context())
			if err != nil {
				return err
			}
			cm := &warroom.ContactMethod{UserID: me.ID, Type: warroom.ContactType(a[0]), Name: a[1], Address: a[2], Secret: secret}
			if err := c.client().CreateContactMethod(cmd.Context(), cm); err != nil {
				return err
			}
			return c.output(cm, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Contact method %d added; run `warroom contact verify %d CODE` with the code it received\n", cm.ID, cm.ID)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&secret, "secret", "", "signing secret (webhook, Feishu, DingTalk)")
	return cmd
}

func (c *cli) newContactVerifyCmd() *cobra.Command {
	return &cobra.Command{
		Use: "verify ID CODE", Short: "Verify a contact method with the code it received", Args: args("ID", "CODE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := parseID(a[0], "contact method", "warroom contact list")
			if err != nil {
				return err
			}
			me, err := c.client().Me(cmd.Context())
			if err != nil {
				return err
			}
			if err := c.client().VerifyContactMethod(cmd.Context(), me.ID, id, a[1]); err != nil {
				return err
			}
			return c.output(map[string]any{"id": id, "verified": true}, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Contact method %d verified\n", id)
				return err
			})
		},
	}
}

func (c *cli) newContactTestCmd() *cobra.Command {
	return &cobra.Command{
		Use: "test ID", Short: "Send a test notification", Args: args("ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := parseID(a[0], "contact method", "warroom contact list")
			if err != nil {
				return err
			}
			me, err := c.client().Me(cmd.Context())
			if err != nil {
				return err
			}
			if err := c.client().SendTestNotification(cmd.Context(), me.ID, id); err != nil {
				return err
			}
			return c.output(map[string]any{"id": id, "queued": true}, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Test notification queued for contact method %d\n", id)
				return err
			})
		},
	}
}

func (c *cli) newContactRuleCmd() *cobra.Command {
	var delay time.Duration
	cmd := &cobra.Command{
		Use: "rule ID", Short: "Notify on a contact method when paged, after --delay", Args: args("ID"),
		Example: "  warroom contact rule 1\n  warroom contact rule 2 --delay 2m",
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := parseID(a[0], "contact method", "warroom contact list")
			if err != nil {
				return err
			}
			me, err := c.client().Me(cmd.Context())
			if err != nil {
				return err
			}
			r := &warroom.NotificationRule{UserID: me.ID, ContactMethodID: id, DelaySeconds: int64(delay / time.Second)}
			if err := c.client().CreateNotificationRule(cmd.Context(), r); err != nil {
				return err
			}
			return c.output(r, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Rule %d: contact method %d after %s\n", r.ID, id, delay)
				return err
			})
		},
	}
	cmd.Flags().DurationVar(&delay, "delay", 0, "wait this long after the page (0 to 1h)")
	return cmd
}
