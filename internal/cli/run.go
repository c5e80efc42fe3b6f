package cli

import (
	"context"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"s1collector/internal/collector"
	"s1collector/internal/config"
	"s1collector/internal/server"
	"s1collector/internal/state"
)

func newRunCmd(version string) *cobra.Command {
	var path, listen string
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Collect continuously, every stream on its own schedule",
		Long: `Run the collector as a daemon: every source and API is a stream polled on its
interval, incrementally from its checkpoint. A failed cycle is tried again
after a backoff (15s doubling, at most the interval), for as long as it fails;
only a rejected token or a missing permission stops a stream, until the
configuration is fixed and reloaded.

It serves the status page, /metrics, /healthz and /readyz on server.listen
(default 127.0.0.1:9464; server.auth and server.tls protect it) and checks
the API tokens' expiry daily. The page charts each stream's last 24 hours
(events, lag, failed cycles), kept in the state so a restart does not erase
them, and flags a stream gone quiet.

Signals: SIGTERM or SIGINT finishes the batch in flight, saves the checkpoint
and exits (a second signal, or 30s, stops at once; nothing is lost, the batch
is collected again). SIGHUP reloads the configuration: the new collector is
built completely (outputs that changed are checked, a moved status server is
bound) before the running one is stopped; a configuration with errors, or
one that cannot be applied (a changed state.path, a port taken, an output
that cannot start), is refused with the reason and the running one kept.

With state.postgres, run this on several hosts with the same configuration:
the replicas share the streams (each held by one of them under a lease),
take over those of a replica that dies within state.postgres.lease_ttl, and
rebalance as replicas join and leave. A stopping replica hands its streams
over. The status page shows who holds each stream.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDaemon(cmd, path, listen, version) },
	}
	addConfigFlag(cmd, &path)
	addLogFlags(cmd, true)
	cmd.Flags().StringVar(&listen, "listen", "", "address of the status page and /metrics (default: server.listen, else 127.0.0.1:9464; off disables)")
	return cmd
}

// daemon is the collector "run" keeps going, and what serves its status.
type daemon struct {
	cmd              *cobra.Command
	path, listenFlag string
	version          string

	cfg    *config.Config
	log    *slog.Logger
	store  state.Store // opened once: a reload cannot move it
	built  *collector.Built
	srv    *server.Server // nil when off
	listen string         // where srv listens, or "off"
	work   *working
}

func runDaemon(cmd *cobra.Command, path, listen, version string) error {
	cfg, log, err := loadWithLogger(cmd, path)
	if err != nil {
		return err
	}
	ctx, stop, reload, done := graceful(cmd.Context(), log)
	defer done()
	d := &daemon{cmd: cmd, path: path, listenFlag: listen, version: version, cfg: cfg, log: log}
	if err := d.start(ctx); err != nil {
		return withPermissionHint(err)
	}
	defer d.close()
	for {
		select {
		case <-stop:
			d.work.stop(0) // the grace period is graceful's
			d.log.Info("stopped; checkpoints saved")
			return nil
		case <-ctx.Done():
			d.work.stop(0)
			return nil
		case <-reload:
			d.reload(ctx)
		}
	}
}

// start opens the state, builds the collector, serves its status and sets
// it to work.
func (d *daemon) start(ctx context.Context) error {
	store, _, err := collector.OpenState(ctx, d.cfg, d.log, 0)
	if err != nil {
		return err
	}
	d.store = store
	b, err := collector.Build(ctx, d.cfg, collector.Options{Log: d.log, Stdout: d.cmd.OutOrStdout(), Store: store, Version: d.version})
	if err != nil {
		store.Close()
		return err
	}
	tokens := collector.NewTokens()
	d.listen = effectiveListen(d.listenFlag, d.cfg)
	if d.srv, err = startServer(d.listen, d.version, b, tokens, d.cfg.Redactor(), d.log); err != nil {
		b.Close()
		store.Close()
		return err
	}
	d.built = b
	d.work = launch(ctx, d.cmd, b, tokens, d.log)
	d.log.Info("collector started", "sources", len(d.cfg.Sources), "streams", len(b.Collector.Streams), "state", d.cfg.StateWhere())
	return nil
}

func (d *daemon) close() {
	stopServer(d.srv)
	d.built.Close()
	d.store.Close()
}

// working is a collector at work, with its token watch and progress.
type working struct {
	halt     chan struct{}
	finished chan struct{}
	cancel   context.CancelFunc
	progress func()
}

func launch(ctx context.Context, cmd *cobra.Command, b *collector.Built, tokens *collector.Tokens, log *slog.Logger) *working {
	ctx, cancel := context.WithCancel(ctx)
	w := &working{halt: make(chan struct{}), finished: make(chan struct{}), cancel: cancel}
	go tokens.Watch(ctx, b.Clients, log, tokenCheckPeriod)
	w.progress = watchProgress(cmd.ErrOrStderr(), log, b.Collector.Streams)
	go func() { b.Run(ctx, w.halt); close(w.finished) }()
	return w
}

// stop asks every stream to finish its batch in flight and waits; after
// grace (when not 0), work still in flight is abandoned: its checkpoint
// did not move, so it is collected again.
func (w *working) stop(grace time.Duration) (abandoned bool) {
	close(w.halt)
	var timeout <-chan time.Time
	if grace > 0 {
		timeout = time.After(grace)
	}
	select {
	case <-w.finished:
	case <-timeout:
		abandoned = true
		w.cancel()
		<-w.finished
	}
	w.cancel()
	w.progress()
	return abandoned
}
