package lease

import (
	"maps"
	"slices"
	"time"
)

// Snapshot is what a replica knows of the sharing, for the status page,
// /api/status and metrics.
type Snapshot struct {
	Replica  Replica   `json:"replica"`
	Replicas []Replica `json:"replicas"` // live, as of the last round
	// Owners maps each stream some live replica can run to the replica
	// running it ("" when none is known to): this replica's entries are
	// what it runs now, the others' as of the last round.
	Owners map[string]string `json:"owners"`
	// Held are the streams this replica runs now.
	Held []string `json:"held"`
	// Suspended are streams whose work this replica stopped because it
	// could not renew their leases in time; they resume when it can.
	Suspended []string  `json:"suspended,omitempty"`
	LastRound time.Time `json:"last_round,omitzero"`
	// StoreError is why the last round failed, since StoreErrorSince; ""
	// when the shared state answers.
	StoreError      string    `json:"store_error,omitempty"`
	StoreErrorSince time.Time `json:"store_error_since,omitzero"`
	// Differs lists how the live replicas' configurations differ from this
	// one's (streams, lease TTL); empty when they agree.
	Differs []string `json:"config_differs,omitempty"`
	// Lease changes of this replica since it started.
	Taken    int64 `json:"leases_taken"`
	Lost     int64 `json:"leases_lost"`
	Released int64 `json:"leases_released"`
}

// Snapshot copies what the manager knows now.
func (m *Manager) Snapshot() Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.snap
	s.Replicas = slices.Clone(s.Replicas)
	s.Differs = slices.Clone(s.Differs)
	s.Owners = maps.Clone(s.Owners)
	if s.Owners == nil {
		s.Owners = map[string]string{}
	}
	me := m.cfg.Replica.ID
	for k, owner := range s.Owners {
		if owner == me {
			s.Owners[k] = "" // no longer runs here (lost, released, suspended)
		}
	}
	for k := range m.held {
		s.Owners[k] = me
	}
	s.Held = slices.Sorted(maps.Keys(m.held))
	s.Suspended = slices.Sorted(maps.Keys(m.suspended))
	return s
}

// publish records a successful round's view: who holds each stream some
// live replica can run.
func (m *Manager) publish(v View) {
	p := newPlanner(v)
	owners := make(map[string]string, len(v.Leases))
	for _, l := range v.Leases {
		if len(p.can[l.Key]) == 0 && !m.keys[l.Key] {
			continue // a stream no live replica runs any more
		}
		owner := ""
		if l.Live() {
			owner = l.Owner
		}
		owners[l.Key] = owner
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.snap.Replicas = slices.Clone(v.Replicas)
	m.snap.Owners = owners
	m.snap.LastRound = time.Now()
}
