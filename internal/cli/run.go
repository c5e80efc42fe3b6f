package cli

import (
	"context"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"s1collector/internal/collector"
	"s1collector/internal/config"
)

func newRunCmd(version string) *cobra.Command {
	var path, listen string
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Collect continuously, every stream on its own schedule",
		Long: `Run the collector as a daemon: every source and API is a stream polled on its
interval, incrementally from its checkpoint.

It serves the status page, /metrics, /healthz and /readyz on server.listen
(default 127.0.0.1:9464; server.auth and server.tls protect it) and checks
the API tokens' expiry daily.

Signals: SIGTERM or SIGINT finishes the batch in flight, saves the checkpoint
and exits (a second signal, or 30s, stops at once; nothing is lost, the batch
is collected again). SIGHUP reloads the configuration; a configuration with
errors is refused and the running one kept.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDaemon(cmd, path, listen, version) },
	}
	addConfigFlag(cmd, &path)
	cmd.Flags().StringVar(&listen, "listen", "", "address of the status page and /metrics (default: server.listen, else 127.0.0.1:9464; off disables)")
	return cmd
}

func runDaemon(cmd *cobra.Command, path, listen, version string) error {
	cfg, log, err := loadWithLogger(cmd, path)
	if err != nil {
		return err
	}
	ctx, stop, reload, done := graceful(cmd.Context(), log)
	defer done()
	for {
		next, err := runOnce(ctx, cmd, cfg, log, stop, reload, path, listen, version)
		if err != nil || next == nil {
			return err
		}
		cfg = next
		logSecrets.add(cfg) // its new secrets are scrubbed from the logs too
		log.Info("configuration reloaded", "config", path)
	}
}

// runOnce runs the collector built from cfg until a stop (nil config
// returned) or a valid reload (the new config returned).
func runOnce(ctx context.Context, cmd *cobra.Command, cfg *config.Config, log *slog.Logger,
	stop <-chan struct{}, reload <-chan os.Signal, path, listen, version string) (*config.Config, error) {
	b, err := collector.Build(cfg, collector.Options{Log: log, Stdout: cmd.OutOrStdout()})
	if err != nil {
		return nil, err
	}
	defer b.Close()
	_, stopOps, err := operations(ctx, b, cfg, listen, version, log)
	if err != nil {
		return nil, err
	}
	defer stopOps()
	log.Info("collector started", "sources", len(cfg.Sources), "streams", len(b.Collector.Streams), "state", cfg.State.Path)
	stopProgress := watchProgress(cmd.ErrOrStderr(), log, b.Collector.Streams)
	defer stopProgress()
	halt := make(chan struct{})
	finished := make(chan struct{})
	go func() { b.Collector.Run(ctx, halt); close(finished) }()
	for {
		select {
		case <-stop:
			close(halt)
			<-finished
			log.Info("stopped; checkpoints saved")
			return nil, nil
		case <-ctx.Done():
			<-finished
			return nil, nil
		case <-reload:
			next, err := config.Load(path)
			if err != nil {
				log.Error("reload refused: the configuration has errors; still running the previous one", "config", path, "errors", err.Error())
				continue
			}
			close(halt)
			<-finished
			return next, nil
		}
	}
}
