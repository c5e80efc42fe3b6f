package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"s1collector/internal/collector"
	"s1collector/internal/config"
	"s1collector/internal/delivery"
	"s1collector/internal/httpclient"
	"s1collector/internal/pipeline"
	"s1collector/internal/retry"
	"s1collector/internal/sentinelone"
	"s1collector/internal/server"
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
wrong port, a misspelled host or a missing proxy is said at once.`,
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

type checker struct {
	w      io.Writer
	redact func(string) string
	failed int
}

func (c *checker) line(mark, format string, args ...any) {
	fmt.Fprintln(c.w, c.redact(mark+" "+fmt.Sprintf(format, args...)))
}

func (c *checker) ok(format string, args ...any)   { c.line("✓", format, args...) }
func (c *checker) warn(format string, args ...any) { c.line("!", format, args...) }
func (c *checker) fail(format string, args ...any) {
	c.failed++
	c.line("✗", format, args...)
}

func runCheck(cmd *cobra.Command, path string, timeout time.Duration) error {
	cfg, err := loadConfig(cmd, path)
	if err != nil {
		return err
	}
	ctx, cancel := withSignals(cmd.Context())
	defer cancel()
	for i := range cfg.Sources {
		cfg.Sources[i].Timeout = timeout
	}
	clients, err := collector.Clients(cfg, collector.Options{ConsoleRetry: retry.Policy{MaxAttempts: 1}})
	if err != nil {
		return err
	}
	c := &checker{w: cmd.OutOrStdout(), redact: cfg.Redactor()}
	for _, src := range cfg.Sources {
		checkSource(ctx, c, src, clients[src.Name])
	}
	outputs, err := collector.Outputs(cfg, collector.Options{Log: slog.New(slog.DiscardHandler), Stdout: io.Discard})
	if err != nil {
		return err
	}
	for _, o := range cfg.Outputs {
		octx, done := context.WithTimeout(ctx, timeout)
		var warning *delivery.Warning
		if err := outputs[o.Name].Check(octx); errors.As(err, &warning) {
			c.warn("output %s (%s): %v", o.Name, o.Type, err)
		} else if err != nil {
			c.fail("output %s (%s): %v%s%s", o.Name, o.Type, err, fix(err, "its peer"), permissionHint(err))
		} else {
			c.ok("output %s (%s): ready", o.Name, o.Type)
		}
		done()
		outputs[o.Name].Close()
	}
	if cfg.State.Postgres != nil {
		checkSharedState(ctx, c, cfg)
	}
	if c.failed > 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "%d check(s) failed\n", c.failed)
		return exitError{1}
	}
	return nil
}

func checkSource(ctx context.Context, c *checker, src config.Source, cl *sentinelone.Client) {
	name := src.Name
	info, err := cl.SystemInfo(ctx)
	switch kind := sentinelone.KindOf(err); {
	case err == nil:
		c.ok("%s: console %s reachable (version %s)", name, cl.BaseURL(), info.Version)
		c.ok("%s: API token accepted", name)
	case kind == sentinelone.KindAuth:
		c.ok("%s: console %s reachable", name, cl.BaseURL())
		c.fail("%s: API token rejected: %v", name, err)
		return
	default:
		hint := fix(err, hostOf(cl.BaseURL()))
		if hint == "" {
			hint = " — check base_url, DNS, proxy and firewall"
		}
		c.fail("%s: console %s unreachable: %v%s", name, cl.BaseURL(), err, hint)
		return
	}
	if d, err := cl.TokenDetails(ctx); err != nil {
		c.fail("%s: token expiry unknown: %v%s", name, err, fix(err, hostOf(cl.BaseURL())))
	} else {
		days := int(time.Until(d.ExpiresAt).Hours() / 24)
		msg := fmt.Sprintf("%s: API token expires %s (%d days left)", name, d.ExpiresAt.Format("2006-01-02"), days)
		if days < server.TokenWarnDays {
			c.warn("%s — generate a new token for the service user before then", msg)
		} else {
			c.ok("%s", msg)
		}
	}
	for _, api := range src.SupportedAPIs {
		total, err := cl.Probe(ctx, sentinelone.Endpoint(api), collector.Scope(src))
		switch {
		case sentinelone.FeatureDisabled(err):
			c.warn("%s: %s has nothing to read: %v", name, api, err)
		case err != nil:
			c.fail("%s: %s not readable: %v%s", name, api, err, fix(err, hostOf(cl.BaseURL())))
		case total != nil:
			c.ok("%s: %s readable (%s records)", name, api, pipeline.Count(*total))
		default:
			c.ok("%s: %s readable", name, api)
		}
	}
}

// fix is " — " and what a connection failure most likely means, or "".
func fix(err error, host string) string {
	if why := httpclient.Explain(err, host); why != "" {
		return " — " + why
	}
	return ""
}

// hostOf is the host:port of a URL.
func hostOf(u string) string {
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		return p.Host
	}
	return u
}
