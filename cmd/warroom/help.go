package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// serveOnlyFlag reports whether a persistent setting matters to the server
// alone. Every command accepts it (one configuration for every command),
// but only serve's help lists it: a page of SMTP and single sign-on flags
// under `incident list --help` hides the flags that command has.
func serveOnlyFlag(name string) bool {
	for _, p := range []string{"oidc-", "smtp-", "twilio-", "aliyun-", "phone-", "metrics-", "audit-checkpoint", "outbound-"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	switch name {
	case "addr", "public-url", "alert-retention":
		return true
	}
	return false
}

// trimHelp makes help list serve-only flags on serve's help alone.
func trimHelp(root *cobra.Command) {
	def := root.HelpFunc()
	root.SetHelpFunc(func(cmd *cobra.Command, args []string) {
		serve := cmd.Name() == "serve"
		root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
			if serveOnlyFlag(f.Name) {
				f.Hidden = !serve
			}
		})
		def(cmd, args)
	})
}
