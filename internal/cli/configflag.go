package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"log"
	"log/slog"
	"os"
	"path/filepath"

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
	return readConfig(cmd, path, config.Load)
}

// loadConfigWithoutSecrets is loadConfig for the commands that use no
// secret: the tokens and keys kept in the environment or in files are not
// read, so they work beside a service whose secrets only it can read.
func loadConfigWithoutSecrets(cmd *cobra.Command, path string) (*config.Config, error) {
	return readConfig(cmd, path, config.LoadWithoutSecrets)
}

func readConfig(cmd *cobra.Command, path string, load func(string) (*config.Config, error)) (*config.Config, error) {
	if err := checkConfigPath(path); err != nil {
		return nil, err
	}
	cfg, err := load(path)
	var errs config.Errors
	if errors.As(err, &errs) {
		fmt.Fprintf(cmd.ErrOrStderr(), "%s has %d problem(s):\n", path, len(errs))
		for _, e := range errs {
			fmt.Fprintf(cmd.ErrOrStderr(), "  %s\n", e)
		}
		return nil, exitError{1}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, missingConfig(cmd, path)
	}
	if errors.Is(err, fs.ErrPermission) {
		return nil, fmt.Errorf("%s: user %s may not read it: run this command as a user who may (sudo), or make the file readable "+
			"(a config holds no secret when its tokens come from ${NAME} or token_file)", path, currentUser())
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	logSecrets.add(cfg)
	log.SetOutput(redactingWriter{cmd.ErrOrStderr()}) // net/http logs through it
	return cfg, nil
}

// checkConfigPath refuses what cannot be a config file, saying so.
func checkConfigPath(path string) error {
	if path == "" {
		return errors.New("--config is empty: give the configuration file's path")
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a folder: give the configuration file, e.g. --config %s", path,
			shellQuote(filepath.Join(path, DefaultConfig)))
	}
	return nil
}

// missingConfig says where the config was looked for and how to get one.
func missingConfig(cmd *cobra.Command, path string) error {
	const write = "write one with: s1collector init --console-url https://<your console>"
	if f := cmd.Flags().Lookup("config"); f != nil && f.Changed {
		return fmt.Errorf("%s: no such file: check the path given to --config, or %s --config %s", path, write, shellQuote(path))
	}
	if env, ok := os.LookupEnv(ConfigEnv); ok && env == path {
		return fmt.Errorf("%s (named by $%s): no such file: check the variable, or %s --config %s", path, ConfigEnv, write, shellQuote(path))
	}
	return fmt.Errorf("no configuration: no ./%s here, no %s, and $%s is not set: give one with --config PATH, or %s "+
		"(examples/s1collector.yaml is a complete one)", DefaultConfig, SystemConfig, ConfigEnv, write)
}

// loadWithLogger loads the config and builds the process logger from it,
// scrubbing every configured secret from what it writes (and from what the
// standard log package writes).
func loadWithLogger(cmd *cobra.Command, path string) (*config.Config, *slog.Logger, error) {
	return loadWithLoggerFrom(cmd, path, config.Load)
}

// loadWithLoggerFrom is loadWithLogger with load reading the config.
func loadWithLoggerFrom(cmd *cobra.Command, path string, load func(string) (*config.Config, error)) (*config.Config, *slog.Logger, error) {
	cfg, err := readConfig(cmd, path, load)
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
