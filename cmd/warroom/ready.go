package main

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func (c *cli) newReadyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "ready",
		Short: "Exit 0 when the server at --server answers /readyz, 1 otherwise (for container health checks)",
		Long: `Ask the server at --server / WARROOM_SERVER for /readyz and exit 0 when it
answers 200 within five seconds, 1 otherwise. It needs no token. Container
images without a shell or curl use it as their health check.`,
		Example: `  warroom ready --server http://127.0.0.1:8080`,
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl := &http.Client{Timeout: 5 * time.Second}
			res, err := cl.Get(strings.TrimRight(c.cfg.Server, "/") + "/readyz")
			if err != nil {
				return err
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				return fmt.Errorf("%s/readyz answered %s", c.cfg.Server, res.Status)
			}
			_, err = fmt.Fprintln(c.stdout, "ready")
			return err
		},
	}
}
