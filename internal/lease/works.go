package lease

import (
	"context"
	"maps"
	"slices"
	"time"
)

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

// start runs the work of a lease just acquired or renewed.
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

// reap handles leases lost to another replica (or a reset) and works that
// ended: a given-up stream's lease is released; a stream that stopped on
// its own (a revoked token) keeps its lease and stays stopped.
func (m *Manager) reap(ctx context.Context, v View) {
	released := map[string]int64{}
	var lost []string
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
			lost = append(lost, key)
		case w.releasing && w.finished():
			delete(m.held, key)
			m.snap.Released++
			released[key] = w.epoch
		}
	}
	m.mu.Unlock()
	for _, key := range lost {
		m.mu.Lock()
		w := m.held[key]
		delete(m.held, key)
		m.leaving[key] = w
		m.mu.Unlock()
		w.cancel(m.lost(v, key, w.epoch))
	}
	for key, epoch := range released {
		if err := m.cfg.Table.Release(ctx, m.cfg.Replica.ID, key, epoch); err != nil {
			m.cfg.Log.Warn("lease release failed; it expires on its own", "stream", key, "error", err)
			continue
		}
		m.cfg.Log.Info("lease released: stream handed over to balance the replicas", "stream", key, "epoch", epoch)
	}
}

// releasing are the streams being handed over.
func (m *Manager) releasing() map[string]bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]bool{}
	for k, w := range m.held {
		if w.releasing {
			out[k] = true
		}
	}
	return out
}

// giveUp stops the streams the plan moves to another replica; their leases
// are released once each has finished its batch in flight.
func (m *Manager) giveUp(assign map[string]string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, key := range slices.Sorted(maps.Keys(m.held)) {
		w := m.held[key]
		to, planned := assign[key]
		if w.releasing || !planned || to == m.cfg.Replica.ID {
			continue
		}
		w.releasing, w.releaseBy = true, time.Now().Add(m.cfg.Handover)
		close(w.stop)
		m.cfg.Log.Info("handing stream over to balance the replicas: finishing its batch in flight", "stream", key, "to", to)
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

// grace is how long a free stream waits for the replica the plan gives it
// to: then any replica that can run it takes it. An expired lease (its
// holder died) is noticed by every replica when it expires, so it waits
// one renewal period; a released one waits two, for its receiver's round.
func (m *Manager) grace(l Lease) time.Duration {
	if l.Owner != "" {
		return m.cfg.Renew
	}
	return 2 * m.cfg.Renew
}

// take acquires (asking the table under tctx) the free streams the plan
// gives this replica, and those overdue that it can run, and starts their
// work (under ctx).
func (m *Manager) take(ctx, tctx context.Context, v View, assign map[string]string) {
	var planned, overdue []string
	m.mu.Lock()
	for _, l := range v.Leases {
		_, mine := m.held[l.Key]
		_, ending := m.leaving[l.Key] // never two works of one stream at once
		if l.Live() || mine || ending || !m.keys[l.Key] {
			continue
		}
		switch {
		case assign[l.Key] == m.cfg.Replica.ID:
			planned = append(planned, l.Key)
		case l.FreeFor >= m.grace(l):
			overdue = append(overdue, l.Key)
		}
	}
	m.mu.Unlock()
	for _, key := range append(planned, overdue...) {
		epoch, prev, ok, err := m.cfg.Table.Acquire(tctx, m.cfg.Replica.ID, key, m.cfg.TTL)
		if err != nil {
			m.cfg.Log.Warn("lease not taken", "stream", key, "error", err)
			return
		}
		if !ok {
			continue // another replica was quicker
		}
		m.start(ctx, key, epoch)
		if prev != "" && prev != m.cfg.Replica.ID {
			m.cfg.Log.Info("lease taken: stream taken over from a replica whose lease expired or was released", "stream", key, "epoch", epoch, "from", prev)
		} else {
			m.cfg.Log.Info("lease taken", "stream", key, "epoch", epoch)
		}
	}
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
// leaves the table — or, before a reload (Continue), keeps the leases for
// the next manager and stays.
func (m *Manager) leave(ctx context.Context, hard bool) {
	m.mu.Lock()
	works, leaving, suspended, keep := m.held, m.leaving, m.suspended, m.keep
	m.held, m.leaving, m.suspended = map[string]*work{}, map[string]*work{}, map[string]int64{}
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
	release := map[string]int64{}
	for key, w := range works {
		if !keep || w.releasing {
			release[key] = w.epoch
		} else {
			suspended[key] = w.epoch
		}
	}
	if !keep {
		maps.Copy(release, suspended)
	}
	for key, epoch := range release {
		if err := m.cfg.Table.Release(rctx, m.cfg.Replica.ID, key, epoch); err != nil {
			m.cfg.Log.Warn("lease release failed; it expires on its own", "stream", key, "error", err)
		}
	}
	if keep {
		m.mu.Lock()
		m.suspended = suspended
		m.mu.Unlock()
		m.cfg.Log.Info("streams stopped for the reload; their leases kept for the new configuration", "kept", len(suspended))
		return
	}
	if err := m.cfg.Table.Leave(rctx, m.cfg.Replica.ID); err != nil {
		m.cfg.Log.Warn("leaving the replicas failed; this replica expires on its own", "error", err)
	}
	m.cfg.Log.Info("leases released; replica left", "released", len(release))
}

// kept are the leases a manager stopped for a reload kept: those it held
// and those suspended.
func (m *Manager) kept() map[string]int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.suspended)
}
