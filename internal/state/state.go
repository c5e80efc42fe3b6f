// Package state keeps each stream's checkpoint, and the devices seen by the
// last full listing, in an embedded store: one file, written with fsync,
// locked against a second process.
package state

import (
	"context"
	"time"
)

// Checkpoint is how far a stream has delivered. Records are walked in
// ascending order of their time field (createdAt or updatedAt); everything
// before Watermark, and the records at Watermark listed in Boundary, have
// been accepted by every output.
type Checkpoint struct {
	Watermark time.Time `json:"watermark,omitzero"`
	Boundary  []string  `json:"boundary,omitempty"`
	// FullSyncStarted is set while a full listing of agents is under way.
	FullSyncStarted time.Time `json:"full_sync_started,omitzero"`
	// Partitions are the ranges of a partitioned full listing, each with
	// its own progress; empty when the listing is a single walk.
	Partitions   []Partition `json:"partitions,omitempty"`
	LastFullSync time.Time   `json:"last_full_sync,omitzero"`
	// MappingVersion is how the stream's outputs mapped devices when its
	// last full listing began; another one starts a full listing.
	MappingVersion string `json:"mapping_version,omitempty"`
	// Delivered counts the records delivered, all time.
	Delivered int64     `json:"delivered"`
	SavedAt   time.Time `json:"saved_at,omitzero"`
}

// Partition is a range of updatedAt, [Lo, Hi) (a zero Hi is open-ended),
// walked on its own during a full listing.
type Partition struct {
	Lo        time.Time `json:"lo,omitzero"`
	Hi        time.Time `json:"hi,omitzero"`
	Watermark time.Time `json:"watermark,omitzero"`
	Boundary  []string  `json:"boundary,omitempty"`
	Done      bool      `json:"done,omitempty"`
	Records   int64     `json:"records"` // the console's count when planned
}

// IsZero reports whether the stream has never saved a checkpoint.
func (c Checkpoint) IsZero() bool { return c.SavedAt.IsZero() }

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
	// Sweep forgets the devices of source not seen since generation and
	// returns them.
	Sweep(ctx context.Context, source string, generation int64) ([]string, error)
	Close() error
}
