package pipeline

import (
	"math"
	"time"

	"s1collector/internal/state"
)

// The plan of a full listing adapts while it walks; it never waits on a
// round of counts. It starts with windows of updatedAt back from the
// listing's start (the last hour, the hour before, the two hours before
// that, …, everything older), walked at once: the first page of a walk
// carries the console's count of its range (totalItems), so those pages
// are the plan's counts and already deliver records. From then on, a
// walker that is free while no range waits splits the range with the
// most records left: past the time of the last record its walker has
// seen, at the time that leaves it about half of them (spread evenly in
// time, an estimate the new range's own count then corrects). The old
// range's walker stops at the split time; records at exactly that time
// belong to the new range. Ranges are split while they hold at least
// splitPages pages, so the listing ends about one latency after its last
// full page.
//
// How many walk at once follows the console: enough requests in flight
// to keep it at its rate limit given the latency seen on the first pages
// (full_sync_concurrency caps it); a walker beyond that number hands its
// range back at a page boundary and stops.

const (
	// splitPages is the least pages a range must have left to be split:
	// each half then holds about a page or more.
	splitPages = 2
	// startPages is the pages a range is cut to before every first range
	// is counted.
	startPages = 4
	// maxPagesPerSecond bounds the pages a collector maps in a second
	// (about 40,000 agents on a core): walkers beyond what keeps this many
	// pages a second coming wait on the CPU, not on the console.
	maxPagesPerSecond = 40
	// minWalkers keep two cores busy decoding and mapping when the
	// console answers at once.
	minWalkers = 4
	// oldestWindow is where the windows back from a listing's start end;
	// one more range holds everything older.
	oldestWindow = 1 << 16 * time.Hour // about 7.5 years
)

// initialRanges cuts updatedAt before end into windows back from end, one
// range without a walker to share it with.
func initialRanges(end time.Time, walkers int) []state.Partition {
	hi := end
	if walkers <= 1 {
		return []state.Partition{{Hi: hi}}
	}
	var back []state.Partition
	for d := time.Hour; d <= oldestWindow; d *= 4 {
		lo := end.Add(-d)
		back = append(back, state.Partition{Lo: lo, Hi: hi})
		hi = lo
	}
	back = append(back, state.Partition{Hi: hi})
	out := make([]state.Partition, 0, len(back))
	for i := len(back) - 1; i >= 0; i-- { // oldest first
		out = append(out, back[i])
	}
	return out
}

// walkersFor is how many walkers keep a console at its rate (requests a
// second) given the latency of a page, within minWalkers..most: a quarter
// more than the requests in flight at that rate, and one for the mapping.
func walkersFor(rate float64, latency time.Duration, most int) int {
	r := min(rate, maxPagesPerSecond)
	n := int(math.Ceil(r*latency.Seconds()*1.25)) + 1
	return max(1, min(max(n, minWalkers), most))
}

// splitTime is where a split cuts [from, hi) to leave share of its
// records below the cut, taking them as spread evenly in time (a test
// puts it on a burst of records sharing one timestamp).
var splitTime = func(from, hi time.Time, share float64) time.Time {
	return from.Add(time.Duration(float64(hi.Sub(from)) * share)).Truncate(time.Microsecond)
}

// rangeState is what the planner knows of one range.
type rangeState struct {
	lo, hi  time.Time
	claimed time.Time // the latest record time its walker has read: a split goes after it
	walking bool      // a walker has it
	done    bool
	first   bool // its count is part of the listing's total
	// count is the console's count of the range when its walk began (the
	// first page's totalItems), -1 until then; guess is, for a range split
	// from another, the records the split estimated it holds.
	count, guess int64
	read         int64 // records its walk read
	given        int64 // records of ranges split from it during its walk: their count, else their guess
	parent       int   // the range it was split from, until its count arrives; -1 for none
}

// left estimates the records range r has left to read.
func (r *rangeState) left() int64 {
	base := r.guess
	if r.count >= 0 {
		base = r.count
	}
	return max(base-r.read-r.given, 0)
}
