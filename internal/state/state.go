// Package state keeps each stream's checkpoint, and the devices seen by the
// last full listing, in an embedded store: one file, written with fsync,
// locked against a second process.
package state

import (
	"context"
	"encoding/json"
	"time"
)

// Checkpoint is how far a stream has delivered. Records are walked in
// ascending order of their time field (createdAt or updatedAt). A walk
// reads from a floor — the watermark less the overlap, never before
// KeysSince — and every record version delivered at or after KeysSince is
// in Recent, so what is read again is not delivered again.
type Checkpoint struct {
	// Watermark is the newest record time delivered.
	Watermark time.Time `json:"watermark,omitzero"`
	// Recent holds the versions delivered at or after KeysSince, grouped
	// by time: the de-duplication keys of the overlap.
	Recent    []Stamp   `json:"recent,omitempty"`
	KeysSince time.Time `json:"keys_since,omitzero"`
	// Listing is the full listing of agents under way, nil between them.
	Listing      *Listing  `json:"listing,omitempty"`
	LastFullSync time.Time `json:"last_full_sync,omitzero"`
	// LastGeneration is the generation of the last complete listing.
	LastGeneration int64 `json:"last_generation,omitempty"`
	// MappingVersion is how the stream's outputs mapped devices when its
	// last full listing began; another one starts a full listing.
	MappingVersion string `json:"mapping_version,omitempty"`
	// Scopes is the source's scope filters (site and account ids, as a
	// query string) the stream collected under: for events, the scope of
	// the last walk; for agents, the scopes of the listings whose devices
	// the store keeps — one after a full listing completes, more while a
	// listing runs under a changed scope. Nil in checkpoints saved before
	// it was kept.
	Scopes []string `json:"scopes,omitempty"`
	// Delivered counts the records delivered, all time.
	Delivered int64     `json:"delivered"`
	SavedAt   time.Time `json:"saved_at,omitzero"`
}

// Stamp is the ids of records delivered in their version of one time: for
// agents and threats their updatedAt, for activities their createdAt.
type Stamp struct {
	At  time.Time `json:"at"`
	IDs []string  `json:"ids"`
}

// Keys counts the de-duplication keys a checkpoint holds.
func (c Checkpoint) Keys() int {
	n := 0
	for _, s := range c.Recent {
		n += len(s.IDs)
	}
	return n
}

// Phase is where a full listing is.
type Phase string

// The phases of a full listing, in order.
const (
	// PhaseRanges walks the ranges of updatedAt before the listing's start.
	PhaseRanges Phase = "ranges"
	// PhaseCatchUp walks what changed since the listing's start (less a
	// margin for clock skew), up to the present.
	PhaseCatchUp Phase = "catch-up"
	// PhaseRemovals looks up the devices the listing did not see.
	PhaseRemovals Phase = "removals"
)

// Listing is one full listing of agents: a snapshot bounded by its start,
// walked as ranges, then caught up with what changed since, then compared
// with the previous listing.
type Listing struct {
	// Started is the snapshot time T0 (the collector's clock); it also
	// names the generation of devices this listing sees.
	Started time.Time `json:"started"`
	// Floor is where the catch-up walk starts: T0 less a margin that
	// absorbs clock skew between the collector and the console.
	Floor time.Time `json:"floor"`
	Plan  Plan      `json:"plan"`
	Phase Phase     `json:"phase"`
	// Ranges partition updatedAt before Started; empty until planned.
	Ranges []Partition `json:"ranges,omitempty"`
	// Total is the console's count of agents when planned; Read counts the
	// records read so far, for progress.
	Total int64 `json:"total"`
	Read  int64 `json:"read"`
	// RemovalsAfter is the last removal candidate handled (candidates are
	// handled in sorted order); Removed counts those confirmed.
	RemovalsAfter string `json:"removals_after,omitempty"`
	Removed       int64  `json:"removed,omitempty"`
	// Gen names the generation of devices this listing sees: it only
	// grows from one listing to the next, whatever the console's clock
	// (Started follows it, read from answers' whole-second Date headers,
	// so two listings a second apart may start "backwards").
	Gen int64 `json:"gen,omitempty"`
}

// Generation names the devices seen by the listing (Started for a
// listing begun before Gen existed).
func (l *Listing) Generation() int64 {
	if l.Gen != 0 {
		return l.Gen
	}
	return l.Started.UnixNano()
}

// NextGeneration is the generation of a listing that starts now: the
// host's clock, and always after the previous listing's — its generation,
// or its start for a checkpoint from before generations were kept.
func NextGeneration(prev int64, prevStarted time.Time) int64 {
	if prev == 0 && !prevStarted.IsZero() {
		prev = prevStarted.UnixNano()
	}
	return max(time.Now().UnixNano(), prev+1)
}

// Plan is what a listing's ranges depend on: a listing resumed under a
// different plan starts again from scratch.
type Plan struct {
	Concurrency int    `json:"concurrency"`
	PageSize    int    `json:"page_size"`
	Scope       string `json:"scope,omitempty"` // the scope filters, as a query string
}

// Partition is a range of updatedAt, [Lo, Hi) (a zero Lo is open below),
// walked on its own during a full listing.
type Partition struct {
	Lo        time.Time `json:"lo,omitzero"`
	Hi        time.Time `json:"hi,omitzero"`
	Watermark time.Time `json:"watermark,omitzero"`
	// Boundary is the ids delivered at exactly Watermark.
	Boundary []string `json:"boundary,omitempty"`
	Done     bool     `json:"done,omitempty"`
	Records  int64    `json:"records"` // the console's count when planned
}

// IsZero reports whether the stream has never saved a checkpoint.
func (c Checkpoint) IsZero() bool { return c.SavedAt.IsZero() }

// UnmarshalJSON reads checkpoints of every version. Before the overlap,
// a checkpoint kept only the ids at its watermark ("boundary"): its keys
// are complete from the watermark on. It marked a listing under way with
// "full_sync_started"; such a listing has no plan, so it starts again.
func (c *Checkpoint) UnmarshalJSON(b []byte) error {
	type current Checkpoint
	var v struct {
		current
		Boundary        []string  `json:"boundary"`
		FullSyncStarted time.Time `json:"full_sync_started"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*c = Checkpoint(v.current)
	if c.KeysSince.IsZero() && !c.Watermark.IsZero() && len(c.Recent) == 0 {
		c.KeysSince = c.Watermark
		if len(v.Boundary) > 0 {
			c.Recent = []Stamp{{At: c.Watermark, IDs: v.Boundary}}
		}
	}
	if c.Listing == nil && !v.FullSyncStarted.IsZero() {
		c.Listing = &Listing{Started: v.FullSyncStarted}
	}
	return nil
}

// Seen is devices listed by a full listing of a source (its generation).
type Seen struct {
	Source     string
	IDs        []string
	Generation int64
}

// Key names a stream's checkpoint: source and stream.
func Key(source, stream string) string { return source + "/" + stream }

// Store persists checkpoints. Implementations are safe for concurrent use.
type Store interface {
	// Load returns the checkpoint, or a zero one when there is none.
	Load(ctx context.Context, key string) (Checkpoint, error)
	// Save replaces the checkpoint durably before returning. With seen set,
	// the devices it names are marked in the same transaction.
	Save(ctx context.Context, key string, cp Checkpoint, seen ...Seen) error
	// All returns every checkpoint by key.
	All(ctx context.Context) (map[string]Checkpoint, error)
	// Delete removes a checkpoint; the stream starts over.
	Delete(ctx context.Context, key string) error
	// Missing returns, sorted, the devices of source that older
	// generations saw and the given generation has not.
	Missing(ctx context.Context, source string, generation int64) ([]string, error)
	// Sweep forgets the devices of source seen by generations older than
	// the given one.
	Sweep(ctx context.Context, source string, generation int64) error
	Close() error
}
