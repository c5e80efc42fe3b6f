package collector

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"s1collector/internal/config"
	"s1collector/internal/lease"
	"s1collector/internal/pipeline"
	"s1collector/internal/retry"
	"s1collector/internal/state"
	"s1collector/internal/state/postgres"
)

// Shared is how replicas share the streams when the state is in
// PostgreSQL: the store, this process as a replica and its lease manager.
type Shared struct {
	Store   *postgres.Store
	Replica lease.Replica
	Leases  *lease.Manager
	TTL     time.Duration
}

// processStart and instance tell this process apart from earlier runs on
// the same host: a restarted replica is a new replica.
var (
	processStart = time.Now().UTC()
	instance     = sync.OnceValue(func() string {
		b := make([]byte, 3)
		rand.Read(b)
		return hex.EncodeToString(b)
	})
)

// ThisReplica describes this process: the configured name (default the
// host name) with a suffix of its own.
func ThisReplica(p *config.Postgres, version string) lease.Replica {
	host, _ := os.Hostname()
	name := p.Replica
	if name == "" {
		name = host
	}
	return lease.Replica{ID: name + "-" + instance(), Host: host, PID: os.Getpid(), Version: version, Started: processStart}
}

// OpenState opens the state of cfg: the bbolt file, or PostgreSQL. An
// unreachable PostgreSQL is retried with backoff, logged, until ctx ends or
// attempts (0: no limit) run out.
func OpenState(ctx context.Context, cfg *config.Config, log *slog.Logger, attempts int) (state.Store, *postgres.Store, error) {
	if cfg.State.Postgres == nil {
		st, err := state.OpenBolt(cfg.State.Path)
		return st, nil, err
	}
	p := cfg.State.Postgres
	pcfg := postgres.Config{DSN: p.DSN.Value(), Schema: p.Schema, Log: log}
	var pg *postgres.Store
	policy := retry.Policy{Initial: time.Second, Max: 30 * time.Second, MaxAttempts: attempts,
		Notify: func(err error, attempt int, wait time.Duration) {
			log.Error("PostgreSQL unreachable; retrying", "attempt", attempt, "retry_in", wait.Round(time.Millisecond).String(), "error", err)
		}}
	err := policy.Do(ctx, func(ctx context.Context) error {
		var err error
		pg, err = postgres.Open(ctx, pcfg)
		if err != nil && !postgres.Transient(err) {
			return retry.Permanent(err)
		}
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%w — check state.postgres.dsn and that PostgreSQL is up and reachable", unwrapPermanent(err))
	}
	return pg, pg, nil
}

func unwrapPermanent(err error) error {
	if retry.IsPermanent(err) {
		return errors.Unwrap(err)
	}
	return err
}

// share sets up the lease manager that runs the streams this replica
// holds.
func (b *Built) share(pg *postgres.Store, p *config.Postgres, opts Options) error {
	streams := map[string]*pipeline.Stream{}
	var keys []string
	for _, s := range b.Collector.Streams {
		streams[s.Key()] = s
		keys = append(keys, s.Key())
	}
	me := ThisReplica(p, opts.Version)
	work := func(ctx context.Context, stop <-chan struct{}, key string, epoch int64) error {
		s := streams[key]
		s.Store = pg.Fenced(key, me.ID, epoch, s.Log)
		return b.Collector.RunStream(ctx, stop, s)
	}
	m, err := lease.New(lease.Config{Replica: me, Keys: keys, Table: pg, Work: work, TTL: p.LeaseTTL,
		Log: opts.Log})
	if err != nil {
		return err
	}
	b.Shared = &Shared{Store: pg, Replica: me, Leases: m, TTL: p.LeaseTTL}
	opts.Log.Info("state in PostgreSQL, shared with the other replicas", "at", pg.Where(), "schema", pg.Schema(), "replica", me.ID)
	return nil
}

// Run runs the collector until stop closes or ctx ends: every stream, or
// with shared state the streams this replica holds, as they come and go.
func (b *Built) Run(ctx context.Context, stop <-chan struct{}) {
	if b.Shared == nil {
		b.Collector.Run(ctx, stop)
		return
	}
	b.Shared.Leases.Run(ctx, stop)
}

// Once runs one cycle of every stream. With shared state it first takes
// each stream's lease; a stream a running replica holds is not collected
// here and fails with who holds it.
func (b *Built) Once(ctx context.Context, stop <-chan struct{}) []pipeline.StreamResult {
	if b.Shared == nil {
		return b.Collector.Once(ctx, stop)
	}
	sh := b.Shared
	held := map[string]int64{}
	var run []*pipeline.Stream
	results := map[string]pipeline.StreamResult{}
	for _, s := range b.Collector.Streams {
		epoch, prev, ok, err := sh.Store.Acquire(ctx, sh.Replica.ID, s.Key(), sh.TTL)
		switch {
		case err != nil:
			results[s.Key()] = pipeline.StreamResult{Stream: s, Err: err}
		case !ok:
			results[s.Key()] = pipeline.StreamResult{Stream: s, Err: fmt.Errorf("replica %s holds this stream and collects it: stop the replicas to run once here", prev)}
		default:
			held[s.Key()] = epoch
			s.Store = sh.Store.Fenced(s.Key(), sh.Replica.ID, epoch, s.Log)
			run = append(run, s)
		}
	}
	renewed := make(chan struct{})
	go b.renewWhileRunning(ctx, held, renewed)
	for _, r := range (&pipeline.Collector{Streams: run, Log: b.Collector.Log}).Once(ctx, stop) {
		results[r.Stream.Key()] = r
	}
	close(renewed)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	for key, epoch := range held {
		sh.Store.Release(rctx, sh.Replica.ID, key, epoch)
	}
	sh.Store.Leave(rctx, sh.Replica.ID)
	out := make([]pipeline.StreamResult, 0, len(b.Collector.Streams))
	for _, s := range b.Collector.Streams {
		out = append(out, results[s.Key()])
	}
	return out
}

// renewWhileRunning renews the leases "once" holds until done closes.
func (b *Built) renewWhileRunning(ctx context.Context, held map[string]int64, done <-chan struct{}) {
	sh := b.Shared
	t := time.NewTicker(sh.TTL / 3)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := sh.Store.Round(ctx, sh.Replica, sh.TTL, held, nil); err != nil {
				b.Collector.Log.Warn("lease renewal failed; retried", "error", err)
			}
		}
	}
}
