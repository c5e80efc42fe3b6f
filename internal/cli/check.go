package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"s1collector/internal/collector"
	"s1collector/internal/config"
	"s1collector/internal/delivery"
	"s1collector/internal/retry"
)

// defaultCheckTimeout bounds each check of "test".
const defaultCheckTimeout = 10 * time.Second

func newTestCmd() *cobra.Command {
	var path string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Test every console and output: reachable, token valid and not expiring, permissions",
		Long: `Check, for each source: the console answers; the token is accepted; when the
token expires; the token may read each configured API. Then check each output
can be reached and written to, without sending events, and, with the state in
PostgreSQL, that it answers and its schema is usable. One line per check,
with what to do about a failure. Exit status 1 when any check fails.

Each check is one attempt bounded by --timeout: nothing is retried, so a
wrong port, a misspelled host or a missing proxy is said at once. Sources,
outputs and the state are checked at the same time, a source's API checks
at once after its console's first answer: the whole test ends within
1.5 × --timeout.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if timeout <= 0 {
				return fmt.Errorf("--timeout must be positive, like 10s")
			}
			return runCheck(cmd, path, timeout)
		},
	}
	addConfigFlag(cmd, &path)
	cmd.Flags().DurationVar(&timeout, "timeout", defaultCheckTimeout, "time allowed for each check (one attempt, no retry)")
	return cmd
}

// checker gathers one group's check lines (a source, an output, the
// state); groups run at once and print in the config's order.
type checker struct {
	w      bytes.Buffer
	redact func(string) string
	failed int
}

func (c *checker) line(mark, format string, args ...any) {
	fmt.Fprintln(&c.w, c.redact(mark+" "+fmt.Sprintf(format, args...)))
}

func (c *checker) ok(format string, args ...any)   { c.line("✓", format, args...) }
func (c *checker) warn(format string, args ...any) { c.line("!", format, args...) }
func (c *checker) fail(format string, args ...any) {
	c.failed++
	c.line("✗", format, args...)
}

// inParallel runs each check at once, each with its own checker, and
// writes their lines to w in order as soon as those before are done. It
// returns how many checks failed.
func inParallel(w io.Writer, redact func(string) string, checks []func(*checker)) int {
	cs := make([]*checker, len(checks))
	done := make([]chan struct{}, len(checks))
	for i, check := range checks {
		cs[i], done[i] = &checker{redact: redact}, make(chan struct{})
		go func() {
			defer close(done[i])
			check(cs[i])
		}()
	}
	failed := 0
	for i, c := range cs {
		<-done[i]
		w.Write(c.w.Bytes())
		failed += c.failed
	}
	return failed
}

// testLimit is the most the whole test may take: checks run at once,
// but a source's API checks follow its first answer.
func testLimit(timeout time.Duration) time.Duration { return timeout + timeout/2 }

func runCheck(cmd *cobra.Command, path string, timeout time.Duration) error {
	cfg, err := loadConfig(cmd, path)
	if err != nil {
		return err
	}
	ctx, cancel := withSignals(cmd.Context())
	defer cancel()
	limit := testLimit(timeout)
	ctx, cancelLimit := context.WithTimeoutCause(ctx, limit, fmt.Errorf("%w of %s (1.5 × --timeout)", errTestLimit, limit))
	defer cancelLimit()
	for i := range cfg.Sources {
		cfg.Sources[i].Timeout = timeout
	}
	clients, err := collector.Clients(cfg, collector.Options{ConsoleRetry: retry.Policy{MaxAttempts: 1}, TimeoutSetting: "--timeout"})
	if err != nil {
		return err
	}
	outputs, err := collector.Outputs(cfg, collector.Options{Log: slog.New(slog.DiscardHandler), Stdout: io.Discard})
	if err != nil {
		return err
	}
	var checks []func(*checker)
	for _, src := range cfg.Sources {
		checks = append(checks, func(c *checker) { checkSource(ctx, c, src, clients[src.Name]) })
	}
	for _, o := range cfg.Outputs {
		checks = append(checks, func(c *checker) { checkOutput(ctx, c, o, outputs[o.Name], timeout) })
	}
	if cfg.State.Postgres != nil {
		checks = append(checks, func(c *checker) { checkSharedState(ctx, c, cfg) })
	}
	if failed := inParallel(cmd.OutOrStdout(), cfg.Redactor(), checks); failed > 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "%d check(s) failed\n", failed)
		return exitError{1}
	}
	return nil
}

// checkOutput checks that an output can be reached and written to.
func checkOutput(ctx context.Context, c *checker, o config.Output, out delivery.Output, timeout time.Duration) {
	defer out.Close()
	octx, done := context.WithTimeout(ctx, timeout)
	defer done()
	var warning *delivery.Warning
	if err := out.Check(octx); errors.As(err, &warning) {
		c.warn("output %s (%s): %v", o.Name, o.Type, err)
	} else if err != nil {
		c.fail("output %s (%s): %v%s%s", o.Name, o.Type, err, fix(ctx, err, "its peer"), permissionHint(err))
	} else {
		c.ok("output %s (%s): ready", o.Name, o.Type)
	}
}
