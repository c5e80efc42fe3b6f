package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"s1collector/internal/config"
)

func newInitCmd() *cobra.Command {
	var s starter
	var path string
	var force bool
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented starter configuration",
		Long: `Write a commented starter configuration for one console and the outputs you
name, ready for "s1collector validate" once the environment variables it
lists are set. Tokens and keys are never written: the config reads them from
the environment (${NAME}), or the console token from --token-file; an output
URL that carries a credential (user:password@, a query such as ?api_key=) is
read from the environment too. The folders it creates are 0755 and the file
0644, whatever the umask: the service's own user must read them.

An existing file is kept unless --force is given; --config - prints the
configuration instead of writing it.`,
		Example: `  s1collector init --console-url https://euce1-acme.sentinelone.net --output file
  s1collector init --console-url https://euce1-acme.sentinelone.net --token-env S1_PROD_EU_TOKEN \
      --output splunk_hec --splunk-url https://splunk.example.com:8088 --config /etc/s1collector/s1collector.yaml
  s1collector init --console-url https://usea1-acme.sentinelone.net --output sekoia_assets,sekoia_intake \
      --sekoia-connector-uuid 0b1c8a64-6e5b-4d2e-9f1a-2f0c5b7d9e11 --listen 0.0.0.0:9464 --config -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runInit(cmd, &s, path, force) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&path, "config", "c", initConfigPath(os.LookupEnv), `file to write, $`+ConfigEnv+` when set; "-" prints it`)
	fl.BoolVar(&force, "force", false, "replace an existing file")
	fl.StringVar(&s.ConsoleURL, "console-url", "", "the console's address, e.g. https://euce1-acme.sentinelone.net (required)")
	fl.StringVar(&s.Name, "name", "", "the source's name, in file names and checkpoints (default: the console host's first label)")
	fl.StringVar(&s.TokenEnv, "token-env", "S1_API_TOKEN", "environment variable holding the console's API token")
	fl.StringVar(&s.TokenFile, "token-file", "", "file holding the API token, instead of --token-env (e.g. /run/secrets/s1-token)")
	fl.StringSliceVar(&s.Outputs, "output", []string{"file"}, "where events go, one or more of: "+strings.Join(config.OutputTypes, ", "))
	fl.StringVar(&s.Profile, "profile", "sekoia", "agents as: sekoia, ocsf (strict OCSF 1.6.0) or raw")
	fl.StringVar(&s.Listen, "listen", defaultListen, "status page and /metrics address (0.0.0.0:9464 in a container)")
	fl.StringVar(&s.StateDir, "state-dir", "/var/lib/s1collector", "folder of the state file (and of --output file's files)")
	fl.StringVar(&s.SplunkURL, "splunk-url", "", "the HEC address, for --output splunk_hec")
	fl.StringVar(&s.WebhookURL, "webhook-url", "", "the endpoint, for --output webhook")
	fl.StringSliceVar(&s.KafkaBrokers, "kafka-brokers", nil, "host:port of the brokers, for --output kafka")
	fl.StringVar(&s.SekoiaUUID, "sekoia-connector-uuid", "", "the asset connector's UUID, for --output sekoia_assets")
	return cmd
}

// initConfigPath is where init writes without --config: where the other
// commands will look first.
func initConfigPath(env func(string) (string, bool)) string {
	if p, ok := env(ConfigEnv); ok && p != "" {
		return p
	}
	return DefaultConfig
}

func runInit(cmd *cobra.Command, s *starter, path string, force bool) error {
	s.Path = path
	if path == "-" {
		s.Path = DefaultConfig
	}
	if err := s.check(); err != nil {
		return err
	}
	cfg, env, err := s.render()
	if err != nil {
		return err
	}
	w := cmd.ErrOrStderr()
	for _, n := range s.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	for _, warning := range s.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warning)
	}
	if path == "-" {
		_, err := cmd.OutOrStdout().Write(cfg)
		return err
	}
	written, err := writeConfig(path, cfg, force)
	if err != nil {
		return err
	}
	nextSteps(w, path, written, env, *s)
	return nil
}

// nextSteps tells what the config needs before it runs.
func nextSteps(w io.Writer, path, written string, env []string, s starter) {
	if written != path {
		fmt.Fprintf(w, "wrote %s (through the link %s)\n", written, path)
	} else {
		fmt.Fprintf(w, "wrote %s\n", path)
	}
	if len(env) > 0 {
		fmt.Fprintf(w, "it reads these environment variables; set them where it runs:\n")
		for _, name := range env {
			holds := ""
			for _, n := range s.EnvNotes {
				if n.name == name {
					holds = " — " + n.holds
				}
			}
			fmt.Fprintf(w, "  %s%s\n", name, holds)
		}
	}
	if s.TokenFile != "" {
		if _, err := os.Stat(s.TokenFile); err != nil {
			fmt.Fprintf(w, "put the API token in %s (it does not exist here)\n", s.TokenFile)
		}
	}
	q := shellQuote(path)
	fmt.Fprintf(w, "then: s1collector validate --config %s && s1collector test --config %s\n", q, q)
}
