package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
)

func (c *cli) newStakeholderCmd() *cobra.Command {
	cmd := group(&cobra.Command{
		Use:     "stakeholder",
		Aliases: []string{"stakeholders"},
		Short:   "Stakeholder groups and the scope rules that say who hears of what",
	})
	rules := group(&cobra.Command{Use: "rules", Short: "Scope rules: severity and type → groups, on declare, update and resolve"})
	rules.AddCommand(c.newScopeShowCmd(), c.newScopeSetCmd())
	cmd.AddCommand(c.newGroupListCmd(), c.newGroupCreateCmd(), c.newGroupDeleteCmd(), rules)
	return cmd
}

func (c *cli) newGroupListCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List stakeholder groups",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			gs, err := c.client().FindStakeholderGroups(cmd.Context())
			if err != nil {
				return err
			}
			return c.output(map[string]any{"groups": gs}, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tMEMBERS\tCHANNELS")
				for _, g := range gs {
					var ch []string
					for _, x := range g.Channels {
						ch = append(ch, string(x.Kind)+":"+truncate(x.Target, 40))
					}
					fmt.Fprintf(tw, "%d\t%s\t%d\t%s\n", g.ID, g.Name, len(g.MemberIDs), strings.Join(ch, ", "))
				}
				return tw.Flush()
			})
		},
	}
}

func (c *cli) newGroupCreateCmd() *cobra.Command {
	var (
		g        warroom.StakeholderGroup
		members  []string
		channels []string
	)
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Add a stakeholder group (admin)",
		Example: `  warroom stakeholder create Legal --member legal-lead@example.com --channel email:legal@example.com:zh-CN
  warroom stakeholder create PR --channel feishu:https://open.feishu.cn/open-apis/bot/v2/hook/...`,
		Args: args("NAME"),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			cl := c.client()
			g.Name = a[0]
			for _, m := range members {
				id, err := userID(ctx, cl, m)
				if err != nil {
					return err
				}
				g.MemberIDs = append(g.MemberIDs, id)
			}
			for _, s := range channels {
				kind, rest, ok := strings.Cut(s, ":")
				if !ok {
					return usageErrorf("--channel: %q is not KIND:TARGET[:LOCALE]", s)
				}
				ch := warroom.StakeholderChannel{Kind: warroom.ChannelKind(kind), Target: rest}
				if i := strings.LastIndex(rest, ":"); i > 0 && (rest[i+1:] == "en" || rest[i+1:] == "zh-CN") {
					ch.Target, ch.Locale = rest[:i], rest[i+1:]
				}
				g.Channels = append(g.Channels, ch)
			}
			if err := cl.CreateStakeholderGroup(ctx, &g); err != nil {
				return err
			}
			return c.output(&g, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "Stakeholder group %s created (ID %d)\n", g.Name, g.ID)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&g.Description, "description", "", "who they are")
	cmd.Flags().StringArrayVar(&members, "member", nil, "a user (email or ID), repeatable")
	cmd.Flags().StringArrayVar(&channels, "channel", nil, "KIND:TARGET[:LOCALE], kind email, webhook, slack, feishu, dingtalk or wecom; repeatable")
	return cmd
}

func (c *cli) newGroupDeleteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "delete ID",
		Short: "Remove a stakeholder group and the rules naming it (admin)",
		Args:  args("ID"),
		RunE: func(cmd *cobra.Command, a []string) error {
			id, err := parseID(a[0], "stakeholder group", "warroom stakeholder list")
			if err != nil {
				return err
			}
			if err := c.client().DeleteStakeholderGroup(cmd.Context(), id); err != nil {
				return err
			}
			_, err = fmt.Fprintf(c.stdout, "Stakeholder group %d deleted\n", id)
			return err
		},
	}
}

func (c *cli) newScopeShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show",
		Short: "Print the scope rules as JSON, ready to edit and set",
		Args:  args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			rules, err := c.client().FindScopeRules(cmd.Context())
			if err != nil {
				return err
			}
			return c.printJSON(map[string]any{"rules": rules})
		},
	}
}

func (c *cli) newScopeSetCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "set FILE",
		Short: `Replace every scope rule with those in FILE ("-" for stdin), as printed by show (admin)`,
		Example: `  warroom stakeholder rules show > rules.json && $EDITOR rules.json && warroom stakeholder rules set rules.json
  # {"rules":[{"severity":"P0","group_id":1,"triggers":["declare","update","resolve"]},
  #           {"type":"security_breach","group_id":2,"triggers":["declare"]}]}`,
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
			}
			var doc struct {
				Rules []warroom.ScopeRule `json:"rules"`
			}
			dec := json.NewDecoder(r)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&doc); err != nil {
				return usageErrorf("%s: not a {\"rules\": [...]} document: %v", a[0], err)
			}
			if err := c.client().ReplaceScopeRules(cmd.Context(), doc.Rules); err != nil {
				return err
			}
			_, err := fmt.Fprintf(c.stdout, "%d scope rules set\n", len(doc.Rules))
			return err
		},
	}
}
