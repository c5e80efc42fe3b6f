// Package lease shares streams among replicas of the collector: each stream
// is held by one replica at a time under a lease with an owner, an expiry
// kept by the shared table's clock, and an epoch that grows on every
// takeover. A Manager renews what its replica holds, takes over what dead
// replicas held, spreads the streams evenly over the live replicas and
// starts and stops the work of each stream as its leases come and go.
//
// The package knows no database and no pipeline: a Table keeps the leases,
// and a Work function runs a stream.
package lease

import (
	"context"
	"time"
)

// Replica is one process taking part.
type Replica struct {
	ID      string    `json:"id"`
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	Version string    `json:"version"`
	Started time.Time `json:"started"`
}

// Lease is one stream's lease as the table holds it.
type Lease struct {
	Key   string
	Owner string // "" when released
	Epoch int64
	// ExpiresIn is the time left, by the table's clock; zero or less when
	// expired.
	ExpiresIn time.Duration
}

// Live reports whether the lease is held and unexpired.
func (l Lease) Live() bool { return l.Owner != "" && l.ExpiresIn > 0 }

// View is the table as one replica saw it in one round.
type View struct {
	Replicas []Replica // live, sorted by ID
	Leases   []Lease   // of the keys asked, sorted by key
	// Held are the leases the replica asked to renew and still holds
	// (key → epoch); one missing was taken over or reset.
	Held map[string]int64
}

// Table is the shared record of replicas and leases. Its clock alone
// decides expiry; the replicas' clocks are never compared.
type Table interface {
	// Round, in one transaction, marks me live for ttl, renews for ttl the
	// leases me holds (key → epoch), adds a free lease for each key not yet
	// known, and returns the view.
	Round(ctx context.Context, me Replica, ttl time.Duration, held map[string]int64, keys []string) (View, error)
	// Acquire takes key when it is free, expired or me's own from an
	// earlier run, with a new epoch. ok is false when a live replica holds
	// it; prev is who held it before.
	Acquire(ctx context.Context, me, key string, ttl time.Duration) (epoch int64, prev string, ok bool, err error)
	// Release frees key when me still holds it at epoch.
	Release(ctx context.Context, me, key string, epoch int64) error
	// Leave removes me from the live replicas.
	Leave(ctx context.Context, me string) error
}

// Work runs a stream while its lease is held: until stop closes (finish
// the batch in flight, then return) or ctx ends (return at once). It
// returns why it ended on its own (nil when told to stop).
type Work func(ctx context.Context, stop <-chan struct{}, key string, epoch int64) error
