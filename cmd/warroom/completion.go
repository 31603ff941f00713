package main

import (
	"github.com/spf13/cobra"
)

// newCompletionCmd prints a shell completion script. cobra writes the
// scripts; they complete commands, subcommands and flags.
func (c *cli) newCompletionCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "Print a shell completion script",
		Long: `Print the completion script for bash, zsh or fish. Load it for the
current shell, or save it where the shell loads completions at start.`,
		Example: `  source <(warroom completion bash)
  warroom completion zsh > "${fpath[1]}/_warroom"
  warroom completion fish > ~/.config/fish/completions/warroom.fish`,
		ValidArgs: []string{"bash", "zsh", "fish"},
		Args:      args("SHELL"),
		RunE: func(cmd *cobra.Command, a []string) error {
			out := cmd.OutOrStdout()
			switch a[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			}
			return usageErrorf("completion: unknown shell %q (want bash, zsh or fish)", a[0])
		},
	}
}
