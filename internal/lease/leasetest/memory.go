// Package leasetest holds what every lease.Table must do, as a suite the
// PostgreSQL table and the in-memory one both run, and the in-memory table
// the manager's tests use (its clock is time.Now, so it follows synctest).
package leasetest

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"s1collector/internal/lease"
)

// Memory is a lease.Table in memory.
type Memory struct {
	// Down makes every call fail, as an unreachable database does.
	Down atomic.Bool

	mu       sync.Mutex
	replicas map[string]memReplica
	leases   map[string]*memLease
}

type memReplica struct {
	r       lease.Replica
	expires time.Time
}

type memLease struct {
	owner   string
	epoch   int64
	expires time.Time
}

// NewMemory makes an empty table.
func NewMemory() *Memory {
	return &Memory{replicas: map[string]memReplica{}, leases: map[string]*memLease{}}
}

// ErrDown is what calls return while Down is set.
var ErrDown = errors.New("table unreachable")

func (m *Memory) lock() (func(), error) {
	if m.Down.Load() {
		return nil, ErrDown
	}
	m.mu.Lock()
	return m.mu.Unlock, nil
}

// Round implements lease.Table.
func (m *Memory) Round(_ context.Context, me lease.Replica, ttl time.Duration, held map[string]int64, keys []string) (lease.View, error) {
	unlock, err := m.lock()
	if err != nil {
		return lease.View{}, err
	}
	defer unlock()
	now := time.Now()
	m.replicas[me.ID] = memReplica{r: me, expires: now.Add(ttl)}
	v := lease.View{Held: map[string]int64{}}
	for _, k := range keys {
		if m.leases[k] == nil {
			m.leases[k] = &memLease{}
		}
	}
	for k, e := range held {
		if l := m.leases[k]; l != nil && l.owner == me.ID && l.epoch == e {
			l.expires = now.Add(ttl)
			v.Held[k] = e
		}
	}
	for _, r := range m.replicas {
		if r.expires.After(now) {
			v.Replicas = append(v.Replicas, r.r)
		}
	}
	slices.SortFunc(v.Replicas, func(a, b lease.Replica) int { return cmp.Compare(a.ID, b.ID) })
	for _, k := range slices.Sorted(slices.Values(keys)) {
		l := m.leases[k]
		v.Leases = append(v.Leases, lease.Lease{Key: k, Owner: l.owner, Epoch: l.epoch, ExpiresIn: max(l.expires.Sub(now), 0)})
	}
	return v, nil
}

// Acquire implements lease.Table.
func (m *Memory) Acquire(_ context.Context, me, key string, ttl time.Duration) (int64, string, bool, error) {
	unlock, err := m.lock()
	if err != nil {
		return 0, "", false, err
	}
	defer unlock()
	now := time.Now()
	l := m.leases[key]
	if l == nil {
		l = &memLease{}
		m.leases[key] = l
	}
	prev := l.owner
	if prev != "" && prev != me && l.expires.After(now) {
		return 0, prev, false, nil
	}
	l.owner, l.epoch, l.expires = me, l.epoch+1, now.Add(ttl)
	return l.epoch, prev, true, nil
}

// Release implements lease.Table.
func (m *Memory) Release(_ context.Context, me, key string, epoch int64) error {
	unlock, err := m.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if l := m.leases[key]; l != nil && l.owner == me && l.epoch == epoch {
		l.owner, l.expires = "", time.Now()
	}
	return nil
}

// Leave implements lease.Table.
func (m *Memory) Leave(_ context.Context, me string) error {
	unlock, err := m.lock()
	if err != nil {
		return err
	}
	defer unlock()
	delete(m.replicas, me)
	return nil
}

// Revoke takes key away from its owner with a new epoch, as resetting a
// stream's checkpoint does.
func (m *Memory) Revoke(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l := m.leases[key]; l != nil {
		l.owner, l.epoch, l.expires = "", l.epoch+1, time.Now()
	}
}

// Holds reports whether owner holds key at epoch now: what a fenced write
// checks.
func (m *Memory) Holds(key, owner string, epoch int64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.leases[key]
	return l != nil && l.owner == owner && l.epoch == epoch
}

// Owners maps each key to its live owner ("" when free or expired).
func (m *Memory) Owners() map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]string{}
	now := time.Now()
	for k, l := range m.leases {
		if l.owner != "" && l.expires.After(now) {
			out[k] = l.owner
		} else {
			out[k] = ""
		}
	}
	return out
}
