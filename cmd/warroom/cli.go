package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/warroomhq/warroom"
	"github.com/warroomhq/warroom/client"
	"github.com/warroomhq/warroom/cmd/warroom/app"
	"github.com/warroomhq/warroom/internal/buildinfo"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and failed: an API error, an unreachable server
	exitUsage   = 2 // the command line itself is wrong
)

// cli is what every command is given: the configuration and the process's
// streams. It is built once per run and passed down.
type cli struct {
	cfg    app.Config
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	now    func() time.Time
	// json makes commands print the API's JSON instead of text.
	json bool
}

// usageError is a mistake on the command line; it exits with exitUsage.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// runError is a failure of a command that was well formed; it exits with
// exitFailure.
type runError struct{ err error }

func (e *runError) Error() string { return e.err.Error() }
func (e *runError) Unwrap() error { return e.err }

// run executes the command line args and returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{cfg: app.DefaultConfig(), getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, now: time.Now}
	root := c.newRootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	var re *runError
	if errors.As(err, &re) {
		fmt.Fprintf(stderr, "error: %s\n", describe(re.err))
		return exitFailure
	}
	// Everything else, including what cobra and pflag report about
	// arguments and flags, is a usage error.
	fmt.Fprintf(stderr, "error: %s\nRun '%s --help' for usage.\n", err, cmd.CommandPath())
	return exitUsage
}

// describe returns what a person should read about err: the API's message,
// which names the offending field, or the network error as it is.
func describe(err error) string {
	var e *warroom.Error
	if !errors.As(err, &e) {
		var ne *net.OpError
		if errors.As(err, &ne) {
			return err.Error() + " (is the server running at --server / WARROOM_SERVER?)"
		}
		return err.Error()
	}
	switch e.Code {
	case warroom.EUNAUTHORIZED:
		return e.Message + " (set --token or WARROOM_TOKEN to a valid API token)"
	case warroom.EINTERNAL:
		if e.Message == "" {
			return "internal error on the server; see its log"
		}
	}
	return e.Message
}

func (c *cli) newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "warroom",
		Short: "Incident response: declare, classify, respond, communicate, learn",
		Long: `warroom takes a production problem from the first alert to the last
postmortem action item. 'warroom serve' runs the server; the other commands
talk to it over its HTTP API.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if err := c.cfg.ApplyEnv(cmd.Flags(), c.getenv); err != nil {
				return &usageError{err}
			}
			return nil
		},
	}
	c.cfg.RegisterFlags(root.PersistentFlags())
	root.PersistentFlags().BoolVar(&c.json, "json", false, "print the API's JSON instead of text")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	root.CompletionOptions.DisableDefaultCmd = true
	root.Version = buildinfo.Get().Version
	root.SetVersionTemplate(versionText(buildinfo.Get()))

	root.AddCommand(
		c.newServeCmd(),
		c.newMigrateCmd(),
		c.newBackupCmd(),
		c.newRestoreCmd(),
		c.newVersionCmd(),
		c.newReadyCmd(),
		c.newIncidentCmd(),
		c.newServiceCmd(),
		c.newUserCmd(),
		c.newTokenCmd(),
		c.newTeamCmd(),
		c.newGrantCmd(),
		c.newApprovalCmd(),
		c.newStatusCmd(),
		c.newStakeholderCmd(),
		c.newPostmortemCmd(),
		c.newActionCmd(),
		c.newSearchCmd(),
		c.newInsightsCmd(),
		c.newChangeCmd(),
		c.newAuditCmd(),
		c.newStatsCmd(),
		c.newOnCallCmd(),
		c.newPageCmd(),
		c.newContactCmd(),
		c.newIntegrationCmd(),
		c.newWebhookCmd(),
		c.newAlertCmd(),
		c.newRouteCmd(),
		c.newHeartbeatCmd(),
		c.newSilenceCmd(),
		c.newCalendarCmd(),
		c.newDrillCmd(),
	)
	root.AddCommand(c.newCompletionCmd(root))
	trimHelp(root)
	markRunErrors(root)
	return root
}

// markRunErrors wraps every command's RunE so that its errors, unless they
// are usage errors, exit with exitFailure. Errors raised by cobra itself
// (unknown flags, wrong argument counts) stay usage errors.
func markRunErrors(cmd *cobra.Command) {
	if f := cmd.RunE; f != nil {
		cmd.RunE = func(cmd *cobra.Command, args []string) error {
			err := f(cmd, args)
			var ue *usageError
			if err == nil || errors.As(err, &ue) {
				return err
			}
			return &runError{err}
		}
	}
	for _, sub := range cmd.Commands() {
		markRunErrors(sub)
	}
}

// group makes cmd a command that only holds subcommands: without arguments
// it prints its help, with an unknown one it is a usage error (cobra would
// otherwise print help and exit 0).
func group(cmd *cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usageErrorf("unknown command %q for %q", args[0], cmd.CommandPath())
		}
		return cmd.Help()
	}
	return cmd
}

// args returns a validator requiring exactly n arguments, named in the
// message. An argument named INC must be an incident number, so that a
// mistyped one is a usage error rather than a failed request.
func args(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, got []string) error {
		if len(got) != len(names) {
			return usageErrorf("%s takes %d argument(s): %v, got %d", cmd.CommandPath(), len(names), names, len(got))
		}
		return checkIncidentArgs(names, got)
	}
}

// argsAtLeast is args for commands whose last named argument is text of one
// or more words (TEXT...).
func argsAtLeast(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, got []string) error {
		if len(got) < len(names) {
			return usageErrorf("%s takes at least %d argument(s): %v, got %d", cmd.CommandPath(), len(names), names, len(got))
		}
		return checkIncidentArgs(names, got)
	}
}

func checkIncidentArgs(names, got []string) error {
	for i, name := range names {
		if name != "INC" {
			continue
		}
		if _, err := warroom.ParseNumber(got[i]); err != nil {
			return usageErrorf("%s", warroom.ErrorMessage(err))
		}
	}
	return nil
}

// parseID reads a positive numeric ID argument, written 12 or #12 as lists
// print it; what names the kind of object ("alert", "task") in the usage
// error, and hint, when set, says where to find the ID.
func parseID(s, what, hint string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err == nil && id > 0 {
		return id, nil
	}
	article := "a"
	if strings.ContainsRune("aeiou", rune(what[0])) {
		article = "an"
	}
	if hint != "" {
		return 0, usageErrorf("%q is not %s %s ID (see: %s)", s, article, what, hint)
	}
	return 0, usageErrorf("%q is not %s %s ID", s, article, what)
}

// client returns an API client for the configured server and token.
func (c *cli) client() *client.Client {
	return client.New(c.cfg.Server, c.cfg.Token, client.WithUserAgent("warroom-cli"))
}

// printJSON writes v as indented JSON.
func (c *cli) printJSON(v any) error {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// output prints v as JSON under --json, or calls text otherwise.
func (c *cli) output(v any, text func(w io.Writer) error) error {
	if c.json {
		return c.printJSON(v)
	}
	return text(c.stdout)
}

// listPage is the API's list envelope, reproduced for --json output.
type listPage[T any] struct {
	Items  []T
	Key    string
	Total  int
	Offset int
	Limit  int
}

// MarshalJSON writes {"<key>": [...], "total", "offset", "limit"}.
func (p listPage[T]) MarshalJSON() ([]byte, error) {
	items := p.Items
	if items == nil {
		items = []T{}
	}
	return json.Marshal(map[string]any{p.Key: items, "total": p.Total, "offset": p.Offset, "limit": p.Limit})
}

// pageLimit is the page size the API applies for a requested limit.
func pageLimit(limit int) int {
	if limit <= 0 {
		return warroom.DefaultPageSize
	}
	return min(limit, warroom.MaxPageSize)
}
