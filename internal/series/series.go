// Package series is what a stream did, over time, in buckets of ten
// minutes: events delivered, cycles run and failed, the lag seen at their
// ends. The state store keeps the buckets of the last Keep, so a restart
// or a handover to another replica does not erase the day; the status page
// charts the last 24 hours, counts today's events and tells a stream that
// went quiet.
package series

import (
	"slices"
	"time"
)

const (
	// Width is a bucket's span; buckets start at multiples of it (UTC).
	Width = 10 * time.Minute
	// Span is what the chart shows: the last 24 hours.
	Span = 24 * time.Hour
	// PerDay is how many buckets the chart shows.
	PerDay = int(Span / Width)
	// Keep is how long buckets are kept: the day charted, and the hour
	// around the same time a day earlier, which Quiet compares with.
	Keep = Span + time.Hour
)

// Bucket is what one stream did in the Width starting at Start. Two
// buckets of the same stream and Start add up (Add): replicas taking turns
// at a stream each add what they did.
type Bucket struct {
	Start     time.Time `json:"start"`
	Delivered int64     `json:"delivered"`
	Cycles    int64     `json:"cycles"`
	Failed    int64     `json:"failed_cycles"`
	// LagSeconds is the largest lag seen at the end of a cycle.
	LagSeconds float64 `json:"lag_seconds"`
	// LastDelivery is when the bucket's last events were delivered.
	LastDelivery time.Time `json:"last_delivery,omitzero"`
}

// Start is the start of the bucket holding t.
func Start(t time.Time) time.Time { return t.UTC().Truncate(Width) }

// Add folds o (of the same stream and Start) into b.
func (b *Bucket) Add(o Bucket) {
	b.Delivered += o.Delivered
	b.Cycles += o.Cycles
	b.Failed += o.Failed
	b.LagSeconds = max(b.LagSeconds, o.LagSeconds)
	if o.LastDelivery.After(b.LastDelivery) {
		b.LastDelivery = o.LastDelivery
	}
}

// IsZero reports whether nothing happened in the bucket.
func (b Bucket) IsZero() bool {
	return b.Delivered == 0 && b.Cycles == 0 && b.Failed == 0 && b.LagSeconds == 0 && b.LastDelivery.IsZero()
}

// Merge adds the buckets of several lists up by Start and returns them
// sorted by Start, without empty ones.
func Merge(lists ...[]Bucket) []Bucket {
	byStart := map[int64]*Bucket{}
	for _, l := range lists {
		for _, b := range l {
			k := Start(b.Start).Unix()
			if m, ok := byStart[k]; ok {
				m.Add(b)
				continue
			}
			c := b
			c.Start = Start(b.Start)
			byStart[k] = &c
		}
	}
	out := make([]Bucket, 0, len(byStart))
	for _, b := range byStart {
		if !b.IsZero() {
			out = append(out, *b)
		}
	}
	slices.SortFunc(out, func(a, b Bucket) int { return a.Start.Compare(b.Start) })
	return out
}

// Day is the PerDay buckets of the 24 hours up to now, oldest first, the
// last one holding now; the buckets nothing happened in are empty.
func Day(bs []Bucket, now time.Time) []Bucket {
	last := Start(now)
	first := last.Add(-time.Duration(PerDay-1) * Width)
	out := make([]Bucket, PerDay)
	for i := range out {
		out[i].Start = first.Add(time.Duration(i) * Width)
	}
	for _, b := range bs {
		i := int(Start(b.Start).Sub(first) / Width)
		if b.Start.Before(first) || i >= PerDay {
			continue
		}
		out[i].Add(b)
	}
	return out
}

// Since counts the events delivered in the buckets starting at or after t.
func Since(bs []Bucket, t time.Time) int64 {
	var n int64
	for _, b := range bs {
		if !b.Start.Before(t) {
			n += b.Delivered
		}
	}
	return n
}

// Midnight is the start of t's day, UTC.
func Midnight(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

// Fold adds b to the buckets of list (sorted by Start, as Fold keeps
// them) and drops those older than Keep before b: what a stream did and
// has not saved yet stays bounded while the store is out of reach.
func Fold(list []Bucket, b Bucket) []Bucket {
	b.Start = Start(b.Start)
	i, found := slices.BinarySearchFunc(list, b.Start, func(e Bucket, t time.Time) int { return e.Start.Compare(t) })
	if found {
		list[i].Add(b)
	} else {
		list = slices.Insert(list, i, b)
	}
	cut := b.Start.Add(-Keep)
	drop := 0
	for drop < len(list) && list[drop].Start.Before(cut) {
		drop++
	}
	return list[drop:]
}
