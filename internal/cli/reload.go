package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"time"

	"s1collector/internal/collector"
	"s1collector/internal/config"
	"s1collector/internal/pipeline"
	"s1collector/internal/sentinelone"
	"s1collector/internal/server"
)

// outputCheckTimeout bounds the check of an output a reload adds or changes.
const outputCheckTimeout = 10 * time.Second

// errStopping ends a reload that a stop signal overtook.
var errStopping = errors.New("a stop signal came during the reload")

// reload applies the configuration file again (SIGHUP), or keeps the
// running one and says why. It never ends the process. A stop signal
// during the reload wins: the reload is abandoned, the new collector never
// starts, and the process stops.
func (d *daemon) reload(ctx context.Context, stop <-chan struct{}) {
	next, err := config.Load(d.path)
	if err != nil {
		d.log.Error("reload refused: the configuration has errors; still running the previous one", "config", d.path, "errors", err.Error())
		return
	}
	log, err := newLogger(d.cmd.ErrOrStderr(), next.Log.Level, next.Log.Format)
	if err != nil {
		d.log.Error("reload refused: still running the previous configuration", "config", d.path, "error", err)
		return
	}
	logSecrets.add(next) // the new config's secrets are scrubbed from every log from now on
	log = withRedaction(log, logSecrets.redact)
	switch err := d.apply(ctx, stop, next, log); {
	case errors.Is(err, errStopping):
		d.log.Info("reload abandoned: stopping instead", "config", d.path)
		return
	case err != nil:
		d.log.Error("reload refused: the configuration cannot be applied; still running the previous one", "config", d.path, "error", err)
		return
	}
	d.log = log
	slog.SetDefault(log) // what net/http logs, in the new format
	d.log.Info("configuration reloaded", "config", d.path, "sources", len(next.Sources), "streams", len(d.built.Collector.Streams))
}

// apply builds the collector of next completely — clients, outputs (those
// added or changed must pass their check), streams, a status server on a
// new address — and only then stops the running one and starts it. Any
// failure before that point leaves the running collector untouched. A
// stop signal before the new collector starts abandons it (and cuts its
// checks short) with errStopping.
func (d *daemon) apply(ctx context.Context, stop <-chan struct{}, next *config.Config, log *slog.Logger) error {
	bctx, cancel := untilClosed(ctx, stop) // a stop cuts the build and checks short
	defer cancel()
	if next.State.Path != d.cfg.State.Path {
		return fmt.Errorf("state.path changed from %s to %s: a reload cannot move the state; restart s1collector to use the new path (move the state file first to keep the checkpoints)",
			d.cfg.State.Path, next.State.Path)
	}
	if err := samePostgres(d.cfg.State.Postgres, next.State.Postgres); err != nil {
		return err
	}
	b, err := collector.Build(bctx, next, collector.Options{Log: log, Stdout: d.cmd.OutOrStdout(), Store: d.store, Version: d.version,
		ClientStats: clientStats(d.built)})
	if err != nil {
		return stoppingOr(stop, err)
	}
	if err := checkChangedOutputs(bctx, d.cfg, next, b); err != nil {
		b.Close()
		return stoppingOr(stop, err)
	}
	keepStatus(d.built, b)
	tokens := collector.NewTokens()
	listen := effectiveListen(d.listenFlag, next)
	var srv *server.Server
	if listen != d.listen {
		if srv, err = startServer(listen, d.version, b, tokens, next.Redactor(), log); err != nil {
			b.Close()
			return stoppingOr(stop, err)
		}
	}
	abandon := func() error {
		stopServer(srv)
		b.Close()
		return errStopping
	}
	if closed(stop) {
		return abandon()
	}

	// Everything is ready: switch. A replica keeps its leases across it.
	// Streams stop at once unless a batch is being delivered; that one
	// finishes within the grace period.
	b.Continue(d.built)
	if d.work.stop(shutdownGrace, "reload") {
		d.log.Warn("reload: a batch was still being delivered after the grace period; it is collected again")
	}
	if closed(stop) { // the running collector is stopped; the new one never starts
		// (its leases were kept for the new one: other replicas take them
		// over once they expire)
		return abandon()
	}
	d.built.Close()
	if listen != d.listen {
		stopServer(d.srv)
		d.srv, d.listen = srv, listen
	} else if d.srv != nil {
		d.srv.Update(serverSources(b), b.Clients, tokens, next.Redactor())
		d.srv.Protect(next.Server.Hosts, serverAuth(next.Server.Auth))
		if (next.Server.TLS != nil) != d.srv.TLS() {
			log.Warn("server.tls changed: it takes effect when s1collector restarts (or when server.listen changes)")
		}
		if b.Shared != nil {
			d.srv.SetCluster(b.Shared.Leases)
		}
	}
	d.cfg, d.built = next, b
	d.work = launch(ctx, d.cmd, b, tokens, log)
	return nil
}

// stoppingOr is errStopping when a stop signal came (and ended what err
// reports), else err.
func stoppingOr(stop <-chan struct{}, err error) error {
	if closed(stop) {
		return errStopping
	}
	return err
}

// samePostgres refuses a reload that would move the shared state: the
// running store stays open across reloads.
func samePostgres(cur, next *config.Postgres) error {
	switch {
	case cur == nil && next == nil:
		return nil
	case cur == nil || next == nil:
		return errors.New("state changed between a file and PostgreSQL: a reload cannot move the state; restart s1collector")
	case cur.DSN.Value() != next.DSN.Value() || cur.Schema != next.Schema:
		return errors.New("state.postgres.dsn or schema changed: a reload cannot move the state; restart s1collector to use the new one")
	}
	return nil
}

// checkChangedOutputs checks each output that next adds or changes: one
// that cannot start must not replace a working configuration.
func checkChangedOutputs(ctx context.Context, cur, next *config.Config, b *collector.Built) error {
	var errs []error
	for _, o := range next.Outputs {
		if i := indexOutput(cur.Outputs, o.Name); i >= 0 && reflect.DeepEqual(cur.Outputs[i], o) {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, outputCheckTimeout)
		if err := b.Outputs[o.Name].Check(cctx); err != nil {
			errs = append(errs, fmt.Errorf("output %s (%s) cannot start: %w%s", o.Name, o.Type, err, fix(ctx, err, "its peer")))
		}
		cancel()
	}
	return errors.Join(errs...)
}

func indexOutput(outs []config.Output, name string) int {
	for i, o := range outs {
		if o.Name == name {
			return i
		}
	}
	return -1
}

// clientStats is the counters of each source's console client, for the
// clients of a new configuration to go on counting (metrics never go back
// to zero on a reload).
func clientStats(b *collector.Built) map[string]*sentinelone.Stats {
	out := map[string]*sentinelone.Stats{}
	for name, c := range b.Clients {
		out[name] = c.Stats()
	}
	return out
}

// keepStatus carries each stream's status (history, counts, last error)
// over to the same source and stream of the new collector.
func keepStatus(from, to *collector.Built) {
	old := map[string]*pipeline.Status{}
	for _, s := range from.Collector.Streams {
		old[s.Key()] = s.Status
	}
	for _, s := range to.Collector.Streams {
		if st, ok := old[s.Key()]; ok {
			s.Status = st
		}
	}
}
