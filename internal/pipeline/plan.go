package pipeline

import (
	"math"
	"sync"
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

// planner hands ranges to walkers and splits them. It never takes the
// partition run's lock; the run copies its bounds into the checkpoint.
type planner struct {
	mu       sync.Mutex
	cond     *sync.Cond
	ranges   []rangeState
	queue    []int // ranges waiting for a walker, in order
	pageSize int64
	most     int     // the configured cap
	rate     float64 // the console's requests a second
	latency  time.Duration
	target   int   // walkers wanted now
	walkers  int   // walkers running
	total    int64 // the counts of the first ranges, and what was read before
	uncount  int   // first ranges whose count has not arrived yet
	spawn    func()
	halted   bool
}

func newPlanner(parts []state.Partition, read int64, pageSize, most int, rate float64) *planner {
	p := &planner{pageSize: int64(max(pageSize, 1)), most: max(most, 1), rate: rate, total: read}
	p.cond = sync.NewCond(&p.mu)
	for i, r := range parts {
		p.ranges = append(p.ranges, rangeState{lo: r.Lo, hi: r.Hi, claimed: r.Watermark, done: r.Done, parent: -1, first: !r.Done, count: -1})
		if !r.Done {
			p.queue = append(p.queue, i)
			p.uncount++
		}
	}
	p.target = min(p.most, max(len(p.queue), 1))
	return p
}

// start runs the first walkers.
func (p *planner) start() {
	p.mu.Lock()
	n := p.target
	p.walkers = n
	p.mu.Unlock()
	for range n {
		p.spawn()
	}
}

// next gives a free walker a range: one waiting, else a split of the
// range with the most records left. It waits while a count that could
// make a split worth it is on its way, and returns -1 when the walker
// should stop.
func (p *planner) next() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		switch {
		case p.halted || p.walkers > p.target:
			return p.leave()
		case len(p.queue) > 0:
			i := p.queue[0]
			p.queue = p.queue[1:]
			p.begin(i)
			return i
		}
		i, more := p.split()
		if i >= 0 {
			return i
		}
		if !more && !p.counting() {
			return p.leave()
		}
		p.cond.Wait()
	}
}

func (p *planner) leave() int {
	p.walkers--
	p.cond.Broadcast()
	return -1
}

// begin hands range i, waiting in the queue, to a walker.
func (p *planner) begin(i int) {
	r := &p.ranges[i]
	r.walking, r.count, r.read = true, -1, 0
}

// query is called as range i's walk sends its first request: the console
// will count the range up to the bound it returns, so ranges split from it
// before are no longer part of its count.
func (p *planner) query(i int) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := &p.ranges[i]
	r.guess, r.given = max(r.guess-r.given, 0), 0 // the guess is now of what the query counts
	for k := range p.ranges {
		if p.ranges[k].parent == i {
			p.ranges[k].parent = -1
		}
	}
	return p.ranges[i].hi
}

// counting reports whether a walked range's count is still to come.
func (p *planner) counting() bool {
	for _, r := range p.ranges {
		if r.walking && r.count < 0 {
			return true
		}
	}
	return false
}

// split cuts the walked range with the most records left, at the time
// that leaves it about half of them (taken as spread evenly in time past
// its last record read), and gives the upper part to the caller; when
// that range would end after the rest of the listing at the console's
// rate and holds splitPages pages or more. It reports whether such a
// split may still come once more is read.
func (p *planner) split() (int, bool) {
	best, most, all := -1, int64(0), int64(0)
	for i := range p.ranges {
		if r := &p.ranges[i]; r.walking && !r.done {
			all += r.left()
			if r.left() > most {
				best, most = i, r.left()
			}
		}
	}
	if most < splitPages*p.pageSize {
		return -1, false
	}
	// The range needs most/pageSize pages one after the other, a latency
	// each; the rest, all/pageSize pages at the console's rate. While
	// the first counts arrive, the rest is not known: ranges are cut to
	// startPages pages meanwhile.
	alone := float64(most) / float64(p.pageSize) * p.latency.Seconds()
	rest := float64(all) / float64(p.pageSize) / min(p.rate, maxPagesPerSecond)
	if p.uncount > 0 {
		rest = max(rest, startPages*p.latency.Seconds())
	}
	if alone <= rest {
		return -1, true
	}
	r := &p.ranges[best]
	from := later(r.claimed, r.lo)
	take := most / 2
	at := splitTime(from, r.hi, float64(most-take)/float64(most))
	if !at.After(from) {
		at = from.Add(time.Microsecond)
	}
	if !at.Before(r.hi) {
		return -1, false
	}
	child := rangeState{lo: at, hi: r.hi, walking: true, count: -1, guess: take, parent: best}
	r.hi, r.given = at, r.given+take
	p.ranges = append(p.ranges, child)
	return len(p.ranges) - 1, false
}

// claim is called with the latest record time of a page of range i before
// the page is delivered: no split goes at or before it from then on. It
// returns the range's upper bound, which cannot move below that time:
// records of the page at or after it belong to another range.
func (p *planner) claim(i int, last time.Time) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := &p.ranges[i]
	r.claimed = later(r.claimed, last)
	return r.hi
}

// countArrived records the console's count of range i's walk (the first
// page's totalItems; nil, never sent by consoles, makes it unsplittable)
// and how long that page took; the range it was split from then counts
// the count instead of the guess.
func (p *planner) countArrived(i int, total *int64, took time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.cond.Broadcast()
	r := &p.ranges[i]
	r.count = 0
	if total != nil {
		r.count = *total
	}
	if r.parent >= 0 {
		p.ranges[r.parent].given += r.count - r.guess
		r.parent = -1
	}
	if r.first {
		r.first = false
		p.total += r.count
		p.uncount--
	}
	p.observe(took)
}

// observe sets the walkers wanted from the least latency seen, and starts
// walkers up to it.
func (p *planner) observe(took time.Duration) {
	if p.latency == 0 || took < p.latency {
		p.latency = took
	}
	p.target = walkersFor(p.rate, p.latency, p.most)
	for p.walkers < p.target {
		p.walkers++
		p.spawn() // starts a goroutine; it takes p.mu once this returns
	}
}

// read records that range i's walker read n records of its range.
func (p *planner) read(i int, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ranges[i].read += int64(n)
	p.cond.Broadcast() // a split may be due now
}

// yield reports whether range i's walker should hand its range back:
// more walk than are wanted.
func (p *planner) yield() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.walkers > p.target || p.halted
}

// How a walk of a range ended.
const (
	walkDone    = iota // the range is complete
	walkYielded        // handed back: it waits for a walker, and resumes from its progress
	walkFailed         // it stays as it is, for the next cycle
)

// release ends a walk of range i.
func (p *planner) release(i, outcome int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.cond.Broadcast()
	r := &p.ranges[i]
	r.walking, r.done = false, outcome == walkDone
	if outcome == walkYielded && !p.halted {
		p.queue = append(p.queue, i)
	}
}

// halt makes every walker stop at its next page or when it asks for more.
func (p *planner) halt() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.halted = true
	p.cond.Broadcast()
}

// bounds copies the ranges' bounds into the listing's, appending the new
// ones, so that the checkpoint always covers the listing's ranges; it
// also sets the listing's total once every first range was counted.
func (p *planner) bounds(l *state.Listing) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, r := range p.ranges {
		if i >= len(l.Ranges) {
			l.Ranges = append(l.Ranges, state.Partition{Lo: r.lo, Hi: r.hi})
		}
		l.Ranges[i].Hi = r.hi
	}
	if l.Total == 0 && p.uncount == 0 {
		l.Total = p.total
	}
}
