package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"log"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"s1collector/internal/config"
)

// Where commands look for their configuration when --config is not given:
// the file ConfigEnv names; else DefaultConfig in the working folder; else
// SystemConfig, where the packages (systemd unit, container image) put it.
const (
	ConfigEnv     = "S1COLLECTOR_CONFIG"
	DefaultConfig = "s1collector.yaml"
	SystemConfig  = "/etc/s1collector/s1collector.yaml"
)

func addConfigFlag(cmd *cobra.Command, path *string) {
	cmd.Flags().StringVarP(path, "config", "c", defaultConfigPath(os.LookupEnv, fileExists),
		"configuration file (YAML); default: $"+ConfigEnv+", else ./"+DefaultConfig+", else "+SystemConfig+" if it exists")
}

// defaultConfigPath is the configuration file to read without --config.
func defaultConfigPath(env func(string) (string, bool), exists func(string) bool) string {
	if p, ok := env(ConfigEnv); ok && p != "" {
		return p
	}
	if !exists(DefaultConfig) && exists(SystemConfig) {
		return SystemConfig
	}
	return DefaultConfig
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// loadConfig loads the file and, when it has problems, prints every one of
// them and returns a plain failure.
func loadConfig(cmd *cobra.Command, path string) (*config.Config, error) {
	cfg, err := config.Load(path)
	var errs config.Errors
	if errors.As(err, &errs) {
		fmt.Fprintf(cmd.ErrOrStderr(), "%s has %d problem(s):\n", path, len(errs))
		for _, e := range errs {
			fmt.Fprintf(cmd.ErrOrStderr(), "  %s\n", e)
		}
		return nil, exitError{1}
	}
	if errors.Is(err, fs.ErrNotExist) {
		if f := cmd.Flags().Lookup("config"); f != nil && f.Changed {
			return nil, fmt.Errorf("%s: no such file: check the path given to --config", path)
		}
		return nil, fmt.Errorf("no %s in the current folder: give the configuration with --config PATH, or write one from examples/s1collector.yaml", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	logSecrets.add(cfg)
	log.SetOutput(redactingWriter{cmd.ErrOrStderr()}) // net/http logs through it
	return cfg, nil
}

// loadWithLogger loads the config and builds the process logger from it,
// scrubbing every configured secret from what it writes (and from what the
// standard log package writes).
func loadWithLogger(cmd *cobra.Command, path string) (*config.Config, *slog.Logger, error) {
	cfg, err := loadConfig(cmd, path)
	if err != nil {
		return nil, nil, err
	}
	logger, err := newLogger(cmd.ErrOrStderr(), cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return nil, nil, err
	}
	scrubbed := withRedaction(logger, logSecrets.redact)
	// The process's default: what the standard log package writes
	// (net/http's "Unsolicited response…", the HTTP server's errors) goes
	// through it too, never raw to standard error.
	slog.SetDefault(scrubbed)
	return cfg, scrubbed, nil
}
