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
	// Owners maps each stream to the replica holding it ("" when free).
	Owners map[string]string `json:"owners"`
	// Held are the streams this replica holds.
	Held      []string  `json:"held"`
	LastRound time.Time `json:"last_round,omitzero"`
	// StoreError is why the last round failed, since StoreErrorSince; ""
	// when the shared state answers.
	StoreError      string    `json:"store_error,omitempty"`
	StoreErrorSince time.Time `json:"store_error_since,omitzero"`
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
	s.Owners = maps.Clone(s.Owners)
	s.Held = slices.Sorted(maps.Keys(m.held))
	return s
}

// publish records a successful round's view.
func (m *Manager) publish(v View) {
	owners := make(map[string]string, len(v.Leases))
	for _, l := range v.Leases {
		owner := ""
		if l.Live() {
			owner = l.Owner
		}
		owners[l.Key] = owner
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, w := range m.held {
		if !w.releasing || !w.finished() {
			owners[k] = m.cfg.Replica.ID // taken during this round
		}
	}
	m.snap.Replicas = slices.Clone(v.Replicas)
	m.snap.Owners = owners
	m.snap.LastRound = time.Now()
}
