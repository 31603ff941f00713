package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom/internal/buildinfo"
)

func (c *cli) newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print this binary's version, commit, build date and Go version",
		Long: `Print the build of this binary. A running server tells its own at
GET /api/v1/version and in the web UI's footer.`,
		Args: args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			in := buildinfo.Get()
			return c.output(in, func(w io.Writer) error {
				_, err := io.WriteString(w, versionText(in))
				return err
			})
		},
	}
}

// versionText is what `warroom version` and `warroom --version` print.
func versionText(in buildinfo.Info) string {
	s := "warroom " + in.Version + "\n"
	if in.Commit != "" {
		s += "commit:  " + in.Commit + "\n"
	}
	if in.Date != "" {
		s += "built:   " + in.Date + "\n"
	}
	return s + fmt.Sprintf("go:      %s\n", in.GoVersion)
}
