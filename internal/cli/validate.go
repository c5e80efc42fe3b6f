package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

func newValidateCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check a configuration file and show what it would collect",
		Long: `Check the configuration: every unknown key, wrong type, missing or invalid
value is reported with its line and path, all at once. On success, print what
would be collected and where, without any secret.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, path)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
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
				case s.Origin != "":
					token = "token written in " + s.Origin
				}
				fmt.Fprintf(w, "  source %s: %s, %s every %s (%s)%s, %s → %s\n", s.Name, s.BaseURL,
					strings.Join(s.SupportedAPIs, ", "), s.Interval, profileNote(s.Profile, s.SupportedAPIs), scopeNote(s.SiteIDs, s.AccountIDs),
					token, strings.Join(s.Outputs, ", "))
			}
			for _, o := range cfg.Outputs {
				where := ""
				if o.File != nil {
					where = " in " + o.File.Dir
				}
				fmt.Fprintf(w, "  output %s: %s%s\n", o.Name, o.Type, where)
			}
			return nil
		},
	}
	addConfigFlag(cmd, &path)
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
