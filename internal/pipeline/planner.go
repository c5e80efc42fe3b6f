package pipeline

import (
	"sync"
	"time"

	"s1collector/internal/state"
)

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

// stopping reports whether the listing halted: a failing walk is not
// tried again.
func (p *planner) stopping() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.halted
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
