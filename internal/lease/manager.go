package lease

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"s1collector/internal/retry"
)

// Why a stream's work is cancelled, as context.Cause tells it.
var (
	// ErrLeaseLost: another replica holds the stream now (it took over an
	// expired lease, or the stream was reset).
	ErrLeaseLost       = errors.New("lease lost: another replica holds the stream now")
	errExpired         = errors.New("lease not renewed in time (this replica was paused, or cut off from the shared state)")
	errHandoverTimeout = errors.New("handed over to another replica before its batch in flight was done")
)

// Config says what a Manager shares and how.
type Config struct {
	Replica Replica
	Keys    []string // the streams to share
	Table   Table
	Work    Work
	// TTL is how long a lease lasts without renewal: a dead replica's
	// streams are taken over this long after its last renewal. Default 15s.
	TTL time.Duration
	// Renew is the time between rounds (renewals). Default TTL/3.
	Renew time.Duration
	// Join is how long a starting replica waits, after announcing itself,
	// before taking streams, so replicas started together share at once.
	// Default the smaller of 2s and Renew.
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
		c.Renew = c.TTL / 3
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
	ended chan struct{} // a work ended: worth a round

	mu       sync.Mutex // guards held and snap
	held     map[string]*work
	leaving  map[string]*work // lost leases whose work is still ending
	snap     Snapshot
	lastOK   time.Time // start of the last successful round (monotonic)
	failures int
}

// work is the running work of one held lease.
type work struct {
	epoch     int64
	acquired  time.Time
	stop      chan struct{}
	cancel    context.CancelCauseFunc
	done      chan struct{}
	err       error
	releasing bool
	releaseBy time.Time
}

func (w *work) finished() bool {
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

// New checks the config and makes a manager.
func New(cfg Config) (*Manager, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.applyDefaults()
	cfg.Keys = slices.Sorted(slices.Values(cfg.Keys))
	cfg.Log = cfg.Log.With("replica", cfg.Replica.ID)
	m := &Manager{cfg: cfg, ended: make(chan struct{}, 1), held: map[string]*work{}, leaving: map[string]*work{}}
	m.snap.Replica = cfg.Replica
	return m, nil
}

// Run takes part until stop closes: then every stream finishes its batch
// in flight, its lease is released and the replica leaves. When ctx ends
// the work is cancelled at once.
func (m *Manager) Run(ctx context.Context, stop <-chan struct{}) {
	log := m.cfg.Log
	log.Info("replica taking part in sharing the streams", "streams", len(m.cfg.Keys),
		"lease_ttl", m.cfg.TTL.String(), "renew_every", m.cfg.Renew.String())
	t := time.NewTimer(0)
	defer t.Stop()
	rounds := 0
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
		wait := m.round(ctx, rounds > 0)
		if rounds == 0 && m.failures == 0 {
			wait = m.cfg.Join
		}
		if m.failures == 0 {
			rounds++
		}
		t.Reset(wait)
	}
}

// round renews, notices losses, balances and says when to come back.
func (m *Manager) round(ctx context.Context, take bool) time.Duration {
	suspended := m.expire()
	held := m.heldEpochs()
	maps.Copy(held, suspended)
	timeout := m.cfg.Renew
	if left, holding := m.trustLeft(); holding {
		timeout = max(min(timeout, left), 50*time.Millisecond)
	}
	tctx, cancel := context.WithTimeout(ctx, timeout) // for the table; works run under ctx
	defer cancel()
	start := time.Now()
	v, err := m.cfg.Table.Round(tctx, m.cfg.Replica, m.cfg.TTL, held, m.cfg.Keys)
	if err != nil {
		return m.roundFailed(err)
	}
	m.roundOK(start, v)
	m.resume(ctx, v, suspended)
	m.reap(tctx, v)
	target := Target(v, m.cfg.Replica.ID, len(m.cfg.Keys))
	active := m.active()
	if active > target {
		m.giveUp(active - target)
	}
	if active < target && take {
		m.take(ctx, tctx, v, target-active)
	}
	m.hurryReleases()
	m.publish(v)
	return m.nextWake(v)
}

func (m *Manager) roundFailed(err error) time.Duration {
	m.failures++
	m.mu.Lock()
	if m.snap.StoreError == "" {
		m.snap.StoreErrorSince = time.Now()
	}
	m.snap.StoreError = err.Error()
	m.mu.Unlock()
	// Holding leases, try often: the sooner the table answers, the fewer
	// streams stop; and come back by the time they can no longer be
	// trusted. Holding none, back off to the renewal period.
	p := retry.Policy{Initial: 500 * time.Millisecond, Max: m.cfg.Renew}
	left, holding := m.trustLeft()
	if holding {
		p.Max = min(time.Second, m.cfg.Renew)
	}
	wait := p.Backoff(m.failures)
	if holding {
		wait = max(min(wait, left), 0)
	}
	m.cfg.Log.Error("shared state unreachable; leases renewed when it is back", "attempt", m.failures,
		"retry_in", wait.Round(time.Millisecond).String(), "error", err)
	return wait
}

// trustLeft is how long this replica may still trust the leases it holds
// without a successful round; holding is false when it holds none.
func (m *Manager) trustLeft() (left time.Duration, holding bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return time.Until(m.lastOK.Add(m.localTTL())), len(m.held) > 0
}

// expire stops every stream once its lease may have expired in the table
// (TTL after the last round that renewed it: another replica may take it
// then), so that a stream never runs in two places while this replica is
// cut off from the table, or after it was paused. It returns the leases
// stopped (key → epoch): the next round tells which are still held.
func (m *Manager) expire() map[string]int64 {
	left, holding := m.trustLeft()
	if !holding || left > 0 {
		return nil
	}
	m.mu.Lock()
	lastOK := m.lastOK
	m.mu.Unlock()
	m.cfg.Log.Error("no lease renewal in time (this replica was paused, or cut off from the shared state): stopping its streams before another replica may take them",
		"since_last_renewal", time.Since(lastOK).Round(time.Second).String())
	return m.dropAll()
}

// resume restarts the streams expire stopped whose leases were still held,
// and reports those another replica holds now.
func (m *Manager) resume(ctx context.Context, v View, suspended map[string]int64) {
	for key, epoch := range suspended {
		if v.Held[key] == epoch {
			m.cfg.Log.Info("lease renewed after all: stream resumed", "stream", key, "epoch", epoch)
			m.start(ctx, key, epoch)
			continue
		}
		m.mu.Lock()
		m.snap.Lost++
		m.mu.Unlock()
		m.cfg.Log.Warn("lease lost: its renewal was refused, another replica holds the stream now; standing down", "stream", key,
			"epoch", epoch, "owner", ownerOf(v, key))
	}
}

// localTTL is how long this replica trusts its leases after the start of
// the round that renewed them: a little less than the TTL the table
// counts from the same round, so it stops before another may start.
func (m *Manager) localTTL() time.Duration { return m.cfg.TTL - m.cfg.TTL/10 }

func (m *Manager) roundOK(start time.Time, v View) {
	if m.failures > 0 {
		m.cfg.Log.Info("shared state reachable again", "failed_rounds", m.failures)
	}
	m.failures = 0
	m.mu.Lock()
	m.lastOK = start
	m.snap.StoreError, m.snap.StoreErrorSince = "", time.Time{}
	m.mu.Unlock()
}

// heldEpochs are the leases to renew.
func (m *Manager) heldEpochs() map[string]int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]int64, len(m.held))
	for k, w := range m.held {
		out[k] = w.epoch
	}
	return out
}

// active counts held leases not being given up.
func (m *Manager) active() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, w := range m.held {
		if !w.releasing {
			n++
		}
	}
	return n
}

// reap handles leases lost to another replica (or a reset) and works that
// ended: a given-up stream's lease is released; a stream that stopped on
// its own (a revoked token) keeps its lease and stays stopped.
func (m *Manager) reap(ctx context.Context, v View) {
	released := map[string]int64{}
	m.mu.Lock()
	for key, w := range m.leaving {
		if w.finished() {
			delete(m.leaving, key)
		}
	}
	for key, w := range m.held {
		epoch, still := v.Held[key]
		switch {
		case !still || epoch != w.epoch:
			w.cancel(ErrLeaseLost)
			delete(m.held, key)
			m.leaving[key] = w
			m.snap.Lost++
			m.cfg.Log.Warn("lease lost: its renewal was refused, another replica holds the stream now; standing down", "stream", key,
				"epoch", w.epoch, "owner", ownerOf(v, key))
		case w.releasing && w.finished():
			delete(m.held, key)
			m.snap.Released++
			released[key] = w.epoch
		}
	}
	m.mu.Unlock()
	for key, epoch := range released {
		if err := m.cfg.Table.Release(ctx, m.cfg.Replica.ID, key, epoch); err != nil {
			m.cfg.Log.Warn("lease release failed; it expires on its own", "stream", key, "error", err)
			continue
		}
		m.cfg.Log.Info("lease released: stream handed over to balance the replicas", "stream", key, "epoch", epoch)
	}
}

// giveUp stops the n most recently taken streams; their leases are
// released once each has finished its batch in flight.
func (m *Manager) giveUp(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := m.heldKeys(false)
	slices.SortFunc(keys, func(a, b string) int { return m.held[b].acquired.Compare(m.held[a].acquired) })
	for _, key := range keys[:min(n, len(keys))] {
		w := m.held[key]
		w.releasing, w.releaseBy = true, time.Now().Add(m.cfg.Handover)
		close(w.stop)
		m.cfg.Log.Info("handing stream over to balance the replicas: finishing its batch in flight", "stream", key)
	}
}

// hurryReleases cancels given-up streams that overran the handover time.
func (m *Manager) hurryReleases() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for key, w := range m.held {
		if w.releasing && !w.finished() && time.Now().After(w.releaseBy) {
			m.cfg.Log.Warn("stream did not finish its batch in time for the handover; cancelling it (the batch is collected again)", "stream", key)
			w.cancel(errHandoverTimeout)
		}
	}
}

// heldKeys lists held leases; with releasing false, not those given up.
// The caller holds mu.
func (m *Manager) heldKeys(releasing bool) []string {
	var keys []string
	for k, w := range m.held {
		if releasing || !w.releasing {
			keys = append(keys, k)
		}
	}
	return keys
}

// take acquires up to n free or expired leases (asking the table under
// tctx) and starts their work (under ctx).
func (m *Manager) take(ctx, tctx context.Context, v View, n int) {
	var free []string
	m.mu.Lock()
	for _, l := range v.Leases {
		_, mine := m.held[l.Key]
		_, ending := m.leaving[l.Key] // never two works of one stream at once
		if !mine && !ending && !l.Live() {
			free = append(free, l.Key)
		}
	}
	m.mu.Unlock()
	rand.Shuffle(len(free), func(i, j int) { free[i], free[j] = free[j], free[i] })
	for _, key := range free {
		if n == 0 {
			return
		}
		epoch, prev, ok, err := m.cfg.Table.Acquire(tctx, m.cfg.Replica.ID, key, m.cfg.TTL)
		if err != nil {
			m.cfg.Log.Warn("lease not taken", "stream", key, "error", err)
			return
		}
		if !ok {
			continue // another replica was quicker
		}
		n--
		m.start(ctx, key, epoch)
		if prev != "" && prev != m.cfg.Replica.ID {
			m.cfg.Log.Info("lease taken: stream taken over from a replica whose lease expired or was released", "stream", key, "epoch", epoch, "from", prev)
		} else {
			m.cfg.Log.Info("lease taken", "stream", key, "epoch", epoch)
		}
	}
}

// start runs the work of a lease just acquired.
func (m *Manager) start(ctx context.Context, key string, epoch int64) {
	wctx, cancel := context.WithCancelCause(ctx)
	w := &work{epoch: epoch, acquired: time.Now(), stop: make(chan struct{}), cancel: cancel, done: make(chan struct{})}
	m.mu.Lock()
	m.held[key] = w
	m.snap.Taken++
	m.mu.Unlock()
	go func() {
		w.err = m.cfg.Work(wctx, w.stop, key, epoch)
		close(w.done)
		select {
		case m.ended <- struct{}{}:
		default:
		}
	}()
}

// dropAll cancels every work, waits for them to end and forgets the
// leases, returning them (key → epoch): they may already belong to
// another replica.
func (m *Manager) dropAll() map[string]int64 {
	m.mu.Lock()
	works := m.held
	m.held = map[string]*work{}
	m.mu.Unlock()
	out := make(map[string]int64, len(works))
	for key, w := range works {
		w.cancel(errExpired)
		out[key] = w.epoch
	}
	for _, w := range works {
		<-w.done
	}
	return out
}

// leave stops every work (gracefully unless hard), releases the leases and
// leaves the table.
func (m *Manager) leave(ctx context.Context, hard bool) {
	m.mu.Lock()
	works, leaving := m.held, m.leaving
	m.held, m.leaving = map[string]*work{}, map[string]*work{}
	m.mu.Unlock()
	for _, w := range leaving {
		<-w.done
	}
	for _, w := range works {
		if hard {
			w.cancel(nil)
		} else if !w.releasing {
			close(w.stop)
		}
	}
	for _, w := range works {
		<-w.done
		w.cancel(nil)
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	for key, w := range works {
		if err := m.cfg.Table.Release(rctx, m.cfg.Replica.ID, key, w.epoch); err != nil {
			m.cfg.Log.Warn("lease release failed; it expires on its own", "stream", key, "error", err)
		}
	}
	if err := m.cfg.Table.Leave(rctx, m.cfg.Replica.ID); err != nil {
		m.cfg.Log.Warn("leaving the replicas failed; this replica expires on its own", "error", err)
	}
	m.cfg.Log.Info("leases released; replica left", "released", len(works))
}

// nextWake is the renewal period, or sooner when a lease of another
// replica expires before then: its stream is taken over at once.
func (m *Manager) nextWake(v View) time.Duration {
	wait := m.cfg.Renew
	for _, l := range v.Leases {
		if l.Live() && l.Owner != m.cfg.Replica.ID && l.ExpiresIn+100*time.Millisecond < wait {
			wait = l.ExpiresIn + 100*time.Millisecond
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
