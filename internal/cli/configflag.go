package cli

import (
	"errors"
	"fmt"
	"log"
	"log/slog"

	"github.com/spf13/cobra"

	"s1collector/internal/config"
)

// DefaultConfig is the config file commands read when --config is not given.
const DefaultConfig = "s1collector.yaml"

func addConfigFlag(cmd *cobra.Command, path *string) {
	cmd.Flags().StringVarP(path, "config", "c", DefaultConfig, "configuration file (YAML)")
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
	return cfg, withRedaction(logger, logSecrets.redact), nil
}
