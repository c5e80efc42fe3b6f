package cli

import (
	"fmt"
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
				fmt.Fprintf(w, "  source %s: %s, %s every %s (agents as %s), %s → %s\n", s.Name, s.BaseURL,
					strings.Join(s.SupportedAPIs, ", "), s.Interval, s.Profile, token, strings.Join(s.Outputs, ", "))
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
