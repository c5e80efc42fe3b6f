package cli

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"s1collector/internal/collector"
	"s1collector/internal/config"
	"s1collector/internal/pipeline"
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
after a backoff (7.5–15s, doubling, at most the interval), for as long as it fails;
only a rejected token or a missing permission stops a stream, until the
configuration is fixed and reloaded.

It serves the status page, /metrics, /healthz and /readyz on server.listen
(default 127.0.0.1:9464; server.auth and server.tls protect it) and checks
the API tokens' expiry daily. The page charts each stream's last 24 hours
(events, lag, failed cycles), kept in the state so a restart does not erase
them, and flags a stream gone quiet.

Signals: SIGTERM or SIGINT ends console requests and retry waits at once; a
batch being delivered to the outputs finishes and is checkpointed (a batch an
output refuses is not offered again), then it exits (a second signal, or 30s,
stops at once; nothing is lost, the batch is collected again). SIGHUP reloads
the configuration: the new collector is built completely (outputs that changed
are checked, a moved status server is bound) before the running one is
stopped as for SIGTERM; a configuration with errors, or one that cannot be
applied (a changed state.path, a port taken, an output that cannot start), is
refused with the reason and the running one kept. A SIGTERM during a reload
wins; a SIGHUP while starting is a reload once started.

With state.postgres, run this on several hosts with the same configuration:
the replicas share the streams (each held by one of them under a lease),
take over those of a replica that dies within state.postgres.lease_ttl, and
rebalance as replicas join and leave. A stopping replica hands its streams
over; a reload keeps its leases. Each stream goes to a replica whose
configuration has it: roll a change out one replica at a time (they warn
while their configurations differ). A PostgreSQL restart well within the
lease TTL (12s of the default 15s) stops nothing. The status page shows who holds each stream.`,
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
	sig := graceful(cmd.Context()) // first: a SIGHUP while starting must not end the process
	defer sig.done()
	cfg, log, err := loadWithLogger(cmd, path)
	if err != nil {
		return err
	}
	sig.setLogger(log)
	d := &daemon{cmd: cmd, path: path, listenFlag: listen, version: version, cfg: cfg, log: log}
	if err := d.start(sig.ctx, sig.stop); err != nil {
		if sig.stopping() {
			log.Info("stopped while starting")
			return nil
		}
		return withPermissionHint(err)
	}
	defer d.close()
	for {
		select {
		case <-sig.stop:
			d.work.stop(0, "shutdown") // the grace period is graceful's
			d.log.Info("stopped; checkpoints saved")
			return nil
		case <-sig.ctx.Done():
			d.work.stop(0, "shutdown")
			return nil
		case <-sig.reload:
			d.reload(sig.ctx, sig.stop)
		}
	}
}

// start opens the state, builds the collector, serves its status and sets
// it to work.
// A stop signal while the state or the collector is being opened (an
// unreachable PostgreSQL is retried) ends the start at once.
func (d *daemon) start(ctx context.Context, stop <-chan struct{}) error {
	sctx, cancel := untilClosed(ctx, stop)
	defer cancel()
	store, _, err := collector.OpenState(sctx, d.cfg, d.log, 0)
	if err != nil {
		return err
	}
	d.store = store
	b, err := collector.Build(sctx, d.cfg, collector.Options{Log: d.log, Stdout: d.cmd.OutOrStdout(), Store: store, Version: d.version})
	if err == nil && closed(stop) {
		b.Close()
		err = errors.New("stopping")
	}
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
	collector *pipeline.Collector
	halt      chan struct{}
	finished  chan struct{}
	cancel    context.CancelFunc
	progress  func()
	once      sync.Once
	abandoned bool
}

func launch(ctx context.Context, cmd *cobra.Command, b *collector.Built, tokens *collector.Tokens, log *slog.Logger) *working {
	ctx, cancel := context.WithCancel(ctx)
	w := &working{collector: b.Collector, halt: make(chan struct{}), finished: make(chan struct{}), cancel: cancel}
	go tokens.Watch(ctx, b.Clients, log, tokenCheckPeriod)
	w.progress = watchProgress(cmd.ErrOrStderr(), log, b.Collector.Streams)
	go func() { b.Run(ctx, w.halt); close(w.finished) }()
	return w
}

// stop asks every stream to stop, for reason ("shutdown", "reload"), and
// waits. Console requests and retry waits end at once; a batch being
// delivered finishes and is checkpointed. After grace (when not 0), work
// still in flight is abandoned: its checkpoint did not move, so it is
// collected again. Only the first call stops; the others return what it
// did.
func (w *working) stop(grace time.Duration, reason string) (abandoned bool) {
	w.once.Do(func() {
		w.collector.StopFor(reason)
		close(w.halt)
		var timeout <-chan time.Time
		if grace > 0 {
			timeout = time.After(grace)
		}
		select {
		case <-w.finished:
		case <-timeout:
			w.abandoned = true
			w.cancel()
			<-w.finished
		}
		w.cancel()
		w.progress()
	})
	return w.abandoned
}
