package lease

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"s1collector/internal/retry"
)

// Why a stream's work is cancelled, as context.Cause tells it.
var (
	// ErrLeaseLost: another replica holds the stream now (it took over an
	// expired lease).
	ErrLeaseLost = errors.New("lease lost: another replica holds the stream now")
	// ErrLeaseReset: the stream was reset ("state reset"): it starts over
	// wherever it is taken next.
	ErrLeaseReset      = errors.New("lease revoked: the stream was reset")
	errExpired         = errors.New("lease not renewed in time (this replica was paused, or cut off from the shared state)")
	errHandoverTimeout = errors.New("handed over to another replica before its batch in flight was done")
)

// Config says what a Manager shares and how.
type Config struct {
	// Replica is this process; its Keys and TTL are set from Keys and TTL.
	Replica Replica
	Keys    []string // the streams this replica can run
	Table   Table
	Work    Work
	// TTL is how long a lease lasts without renewal: a dead replica's
	// streams are taken over this long after its last renewal. Default 15s.
	TTL time.Duration
	// Renew is the time between rounds (renewals), and the longest wait
	// between retries while the table is unreachable. Default TTL/10: the
	// last renewal before an outage is recent, so an outage shorter than
	// TTL − Renew − TTL/10 stops nothing.
	Renew time.Duration
	// Join is how long a replica waits, after announcing itself (at start,
	// and after the table was unreachable), before taking free streams, so
	// that replicas starting or reconnecting together share at once instead
	// of the first taking everything. Default the smaller of 2s and Renew.
	Join time.Duration
	// Handover bounds how long a stream given up may take to finish its
	// batch in flight before it is cancelled. Default 30s.
	Handover time.Duration
	Log      *slog.Logger
}

func (c *Config) applyDefaults() {
	if c.TTL == 0 {
		c.TTL = 15 * time.Second
	}
	if c.Renew == 0 {
		c.Renew = c.TTL / 10
	}
	if c.Join == 0 {
		c.Join = min(2*time.Second, c.Renew)
	}
	if c.Handover == 0 {
		c.Handover = 30 * time.Second
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
}

// Validate reports settings that cannot work.
func (c Config) Validate() error {
	c.applyDefaults()
	switch {
	case c.Replica.ID == "":
		return errors.New("lease: the replica has no id")
	case c.Table == nil || c.Work == nil:
		return errors.New("lease: a table and a work function are required")
	case c.Renew <= 0 || c.Renew*2 > c.TTL:
		return errors.New("lease: renewals must come at least twice per lease TTL")
	}
	return nil
}

// Manager holds leases for one replica and runs the work of each.
type Manager struct {
	cfg   Config
	keys  map[string]bool
	ended chan struct{} // a work ended: worth a round

	mu        sync.Mutex       // guards the fields below
	held      map[string]*work // leases held, their work running (or ending, when released)
	leaving   map[string]*work // lost leases whose work is still ending
	suspended map[string]int64 // leases whose work was stopped, not yet renewed or known lost
	snap      Snapshot
	lastOK    time.Time // start of the last successful round (monotonic)
	failures  int
	settling  bool   // announce before taking: at start, after the table was unreachable
	differs   string // the configuration differences last logged
	keep      bool   // on stop, keep the leases for the next manager (a reload)
	prev      *Manager
}

// New checks the config and makes a manager.
func New(cfg Config) (*Manager, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.applyDefaults()
	cfg.Keys = slices.Sorted(slices.Values(cfg.Keys))
	cfg.Replica.Keys, cfg.Replica.TTL = cfg.Keys, cfg.TTL
	cfg.Log = cfg.Log.With("replica", cfg.Replica.ID)
	m := &Manager{cfg: cfg, keys: map[string]bool{}, ended: make(chan struct{}, 1), held: map[string]*work{},
		leaving: map[string]*work{}, suspended: map[string]int64{}, settling: true}
	for _, k := range cfg.Keys {
		m.keys[k] = true
	}
	m.snap.Replica = cfg.Replica
	return m, nil
}

// Continue makes m carry on from prev, the manager of the same replica
// before a reload: prev keeps its leases when it stops instead of
// releasing them, and m renews them at their epochs and resumes their
// streams at once — nothing moves, no epoch changes. Call it before
// stopping prev.
func (m *Manager) Continue(prev *Manager) {
	if prev == nil || prev.cfg.Replica.ID != m.cfg.Replica.ID {
		return
	}
	prev.mu.Lock()
	prev.keep = true
	differs := prev.differs
	prev.mu.Unlock()
	m.mu.Lock()
	m.differs = differs // says when they agree again, as prev would have
	m.mu.Unlock()
	m.prev = prev
	if prev.cfg.TTL != m.cfg.TTL {
		m.cfg.Log.Warn("lease TTL changed by the reload: this replica renews its leases for the new TTL; give every replica the same (the status page lists those that differ)",
			"from", prev.cfg.TTL.String(), "to", m.cfg.TTL.String())
	}
}

// Run takes part until stop closes: then every stream finishes its batch
// in flight, its lease is released and the replica leaves. When ctx ends
// the work is cancelled at once.
func (m *Manager) Run(ctx context.Context, stop <-chan struct{}) {
	m.cfg.Log.Info("replica taking part in sharing the streams", "streams", len(m.cfg.Keys),
		"lease_ttl", m.cfg.TTL.String(), "renew_every", m.cfg.Renew.String())
	m.inherit(ctx)
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-stop:
			m.leave(ctx, false)
			return
		case <-ctx.Done():
			m.leave(ctx, true)
			return
		case <-m.ended:
			t.Stop() // a stream ended: a round now, to release its lease
		case <-t.C:
		}
		t.Reset(m.round(ctx))
	}
}

// inherit takes over the leases the previous manager kept: those of
// streams this one runs are renewed at the first round and resumed; the
// others are released.
func (m *Manager) inherit(ctx context.Context) {
	if m.prev == nil {
		return
	}
	kept := m.prev.kept()
	m.prev = nil
	for key, epoch := range kept {
		if m.keys[key] {
			m.suspended[key] = epoch
			continue
		}
		if err := m.cfg.Table.Release(ctx, m.cfg.Replica.ID, key, epoch); err != nil {
			m.cfg.Log.Warn("lease release failed; it expires on its own", "stream", key, "error", err)
			continue
		}
		m.cfg.Log.Info("lease released: the stream is no longer in this replica's configuration", "stream", key, "epoch", epoch)
	}
}

// round renews, notices losses, balances and says when to come back.
func (m *Manager) round(ctx context.Context) time.Duration {
	m.expire()
	held := m.renewing()
	timeout := m.cfg.Renew
	if left, holding := m.trustLeft(); holding {
		timeout = max(min(timeout, left), 50*time.Millisecond)
	}
	tctx, cancel := context.WithTimeout(ctx, timeout) // for the table; works run under ctx
	defer cancel()
	start := time.Now()
	v, err := m.cfg.Table.Round(tctx, m.cfg.Replica, held)
	if err != nil {
		return m.roundFailed(err)
	}
	take := m.roundOK(start)
	m.resume(ctx, v)
	m.reap(tctx, v)
	m.notice(v)
	assign := plan(v, m.releasing())
	m.giveUp(assign)
	if take {
		m.take(ctx, tctx, v, assign)
	}
	m.hurryReleases()
	m.publish(v)
	wait := m.nextWake(v)
	if !take {
		wait = min(wait, m.cfg.Join)
	}
	return wait
}

func (m *Manager) roundFailed(err error) time.Duration {
	m.mu.Lock()
	m.failures++
	failures := m.failures
	m.settling = true
	if m.snap.StoreError == "" {
		m.snap.StoreErrorSince = time.Now()
	}
	m.snap.StoreError = err.Error()
	m.mu.Unlock()
	// Try again soon, whether holding leases or not: the sooner the table
	// answers, the sooner this replica renews its own leases, before
	// another may take them. Come back by the time they can no longer be
	// trusted.
	wait := retry.Policy{Initial: 250 * time.Millisecond, Max: min(time.Second, m.cfg.Renew)}.Backoff(failures)
	if left, holding := m.trustLeft(); holding {
		wait = max(min(wait, left), 0)
	}
	if failures <= 3 || failures%10 == 0 {
		m.cfg.Log.Error("shared state unreachable; leases renewed when it is back", "attempt", failures,
			"retry_in", wait.Round(time.Millisecond).String(), "error", err)
	}
	return wait
}

// roundOK records a successful round; take is whether it may take free
// streams (not when announcing itself, at start or after an outage).
func (m *Manager) roundOK(start time.Time) (take bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failures > 0 {
		m.cfg.Log.Info("shared state reachable again", "failed_rounds", m.failures)
	}
	m.failures = 0
	m.lastOK = start
	m.snap.StoreError, m.snap.StoreErrorSince = "", time.Time{}
	take = !m.settling
	m.settling = false
	return take
}

// trustLeft is how long this replica may still trust the leases whose
// streams run without a successful round; holding is false when none run.
func (m *Manager) trustLeft() (left time.Duration, holding bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return time.Until(m.lastOK.Add(m.localTTL())), len(m.held) > 0
}

// localTTL is how long this replica trusts its leases after the start of
// the round that renewed them: a little less than the TTL the table
// counts from the same round, so it stops before another may start.
func (m *Manager) localTTL() time.Duration { return m.cfg.TTL - m.cfg.TTL/10 }

// expire stops every stream once its lease may have expired in the table
// (TTL after the last round that renewed it: another replica may take it
// then), so that a stream never runs in two places while this replica is
// cut off from the table, or after it was paused. The leases are kept as
// suspended: the next successful round renews them at their epoch and
// resumes their streams, or tells they were lost.
func (m *Manager) expire() {
	left, holding := m.trustLeft()
	if !holding || left > 0 {
		return
	}
	m.mu.Lock()
	lastOK := m.lastOK
	m.mu.Unlock()
	m.cfg.Log.Error("no lease renewal in time (this replica was paused, or cut off from the shared state): stopping its streams before another replica may take them; they resume when their leases are renewed",
		"since_last_renewal", time.Since(lastOK).Round(time.Second).String())
	dropped := m.dropAll()
	m.mu.Lock()
	maps.Copy(m.suspended, dropped)
	m.mu.Unlock()
}

// renewing are the leases to renew: those held and those suspended.
func (m *Manager) renewing() map[string]int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]int64, len(m.held)+len(m.suspended))
	for k, w := range m.held {
		out[k] = w.epoch
	}
	maps.Copy(out, m.suspended)
	return out
}

// resume restarts the suspended streams whose leases the round renewed at
// their epoch, and reports those lost meanwhile.
func (m *Manager) resume(ctx context.Context, v View) {
	m.mu.Lock()
	suspended := m.suspended
	m.suspended = map[string]int64{}
	m.mu.Unlock()
	for _, key := range slices.Sorted(maps.Keys(suspended)) {
		epoch := suspended[key]
		if v.Held[key] == epoch {
			m.cfg.Log.Info("lease renewed: stream resumed", "stream", key, "epoch", epoch)
			m.start(ctx, key, epoch)
			continue
		}
		m.lost(v, key, epoch)
	}
}

// lost counts and logs a lease found lost; the caller has stopped its work.
func (m *Manager) lost(v View, key string, epoch int64) (cause error) {
	m.mu.Lock()
	m.snap.Lost++
	m.mu.Unlock()
	owner := ownerOf(v, key)
	if owner == "" {
		m.cfg.Log.Warn("lease lost: the stream was reset (state reset); standing down, it starts over from its reset checkpoint wherever it is taken next",
			"stream", key, "epoch", epoch)
		return ErrLeaseReset
	}
	m.cfg.Log.Warn("lease lost: its renewal was refused, another replica holds the stream now; standing down", "stream", key,
		"epoch", epoch, "owner", owner)
	return ErrLeaseLost
}

// nextWake is the renewal period, or sooner when a lease of another
// replica expires before then (its stream is taken over at once), or when
// a free stream this replica can run becomes overdue.
func (m *Manager) nextWake(v View) time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	wait := m.cfg.Renew
	for _, l := range v.Leases {
		_, mine := m.held[l.Key]
		switch {
		case l.Live() && l.Owner != m.cfg.Replica.ID:
			wait = min(wait, l.ExpiresIn+100*time.Millisecond)
		case !l.Live() && m.keys[l.Key] && !mine:
			if left := m.grace(l) - l.FreeFor; left > 0 {
				wait = min(wait, left+50*time.Millisecond)
			}
		}
	}
	return wait
}

func ownerOf(v View, key string) string {
	for _, l := range v.Leases {
		if l.Key == key {
			return l.Owner
		}
	}
	return ""
}
