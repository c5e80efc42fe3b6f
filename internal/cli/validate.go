package cli

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"s1collector/internal/config"
	"s1collector/internal/sentinelone"
)

func newValidateCmd() *cobra.Command {
	var path string
	var noSecrets bool
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check a configuration file and show what it would collect",
		Long: `Check the configuration: every unknown key, wrong type, missing or invalid
value is reported with its line and path, all at once. On success, print what
would be collected and where, without any secret.

Tokens and keys are read as the collector reads them: ${NAME} from the
environment, token_file from its file. Where they are not at hand — beside a
systemd service whose tokens are in its root-only environment file — check
everything else with --no-secrets.`,
		Example: `  s1collector validate --config /etc/s1collector/s1collector.yaml
  s1collector validate --no-secrets --config /etc/s1collector/s1collector.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			load := loadConfig
			if noSecrets {
				load = loadConfigWithoutSecrets
			}
			cfg, err := load(cmd, path)
			if err != nil {
				if !noSecrets && errors.As(err, new(exitError)) {
					hintNoSecrets(cmd.ErrOrStderr(), path)
				}
				return err
			}
			describeConfig(cmd.OutOrStdout(), path, cfg, noSecrets)
			return nil
		},
	}
	addConfigFlag(cmd, &path)
	cmd.Flags().BoolVar(&noSecrets, "no-secrets", false, "do not read tokens and keys (${NAME} of the environment, token_file): check everything else")
	return cmd
}

// profileNote says what a source's profile makes of its streams.
func profileNote(profile string, apis []string) string {
	switch {
	case profile == "ocsf":
		return "as OCSF 1.6.0"
	case profile == "raw" || !slices.Contains(apis, "agents"):
		return "as the console's JSON"
	case len(apis) == 1:
		return "agents as " + profile
	}
	return "agents as " + profile + ", the others as the console's JSON"
}

// scopeNote says which sites or accounts a source is limited to.
func scopeNote(sites, accounts []string) string {
	switch {
	case len(sites) > 0 && len(accounts) > 0:
		return ", sites " + strings.Join(sites, ", ") + " of accounts " + strings.Join(accounts, ", ")
	case len(sites) > 0:
		return ", sites " + strings.Join(sites, ", ")
	case len(accounts) > 0:
		return ", accounts " + strings.Join(accounts, ", ")
	}
	return ""
}

// delayNote says what a delay costs: a version replaced within it is
// never listed once the delay has passed (consoles list the latest).
func delayNote(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return fmt.Sprintf(", delay %s (a version replaced within it is not delivered; the overlap catches late records)", d)
}

// hintNoSecrets says so when every problem found is a secret that is not
// at hand here.
func hintNoSecrets(w io.Writer, path string) {
	if _, err := config.LoadWithoutSecrets(path); err != nil {
		return
	}
	fmt.Fprintf(w, "Everything else is valid: only secrets are missing, and they are read where the collector runs "+
		"(its environment, its token files). Validate there, or check the rest here with:\n  s1collector validate --no-secrets --config %s\n", shellQuote(path))
}

func describeConfig(w io.Writer, path string, cfg *config.Config, noSecrets bool) {
	streams := 0
	for _, s := range cfg.Sources {
		streams += len(s.SupportedAPIs)
	}
	fmt.Fprintf(w, "%s is valid: %d source(s), %d stream(s), %d output(s); state in %s\n",
		path, len(cfg.Sources), streams, len(cfg.Outputs), cfg.StateWhere())
	for _, s := range cfg.Sources {
		token := "token written in the config file"
		switch {
		case s.Token.Origin() != "":
			token = "token from " + s.Token.Origin()
			if noSecrets {
				token += " (not read: --no-secrets)"
			}
		case s.Origin != "":
			token = "token written in " + s.Origin
		}
		fmt.Fprintf(w, "  source %s: %s, %s every %s (%s)%s, %s → %s\n", s.Name, consoleAddress(s.BaseURL),
			strings.Join(s.SupportedAPIs, ", "), s.Interval, profileNote(s.Profile, s.SupportedAPIs), scopeNote(s.SiteIDs, s.AccountIDs)+delayNote(s.Delay),
			token, strings.Join(s.Outputs, ", "))
	}
	for _, o := range cfg.Outputs {
		where := ""
		if o.File != nil {
			where = " in " + o.File.Dir
		}
		fmt.Fprintf(w, "  output %s: %s%s\n", o.Name, o.Type, where)
	}
}

// consoleAddress is the address the client uses for base_url (scheme and
// host): never a user name or password written into it.
func consoleAddress(baseURL string) string {
	if u, err := sentinelone.NormalizeBaseURL(baseURL); err == nil {
		return u
	}
	return "(base_url)"
}
