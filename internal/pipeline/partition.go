package pipeline

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"s1collector/internal/sentinelone"
	"s1collector/internal/state"
)

// partitionAttempts is how often a failing range is walked again before
// the cycle fails (the other walks then stop at their next page; progress
// is kept).
const partitionAttempts = 3

// ranges runs the first phase of a full listing: the ranges of updatedAt
// before its start, walked by the walkers the plan (plan.go) chooses, each
// range with its own cursor and progress in the checkpoint. Pages are
// fetched and mapped concurrently; delivery and checkpoint saves happen
// one batch at a time, so outputs see the stream as usual.
func (s *Stream) ranges(ctx context.Context, stop <-chan struct{}, cp state.Checkpoint, m mapper, res *Result) (state.Checkpoint, error) {
	l := cp.Listing
	if len(l.Ranges) == 0 {
		l.Ranges = initialRanges(l.Started, l.Plan.Concurrency)
		if err := s.Store.Save(ctx, s.Key(), cp); err != nil {
			return cp, err
		}
	}
	s.Status.listingPlanned(l.Total, l.Read)
	run := &partitionRun{s: s, cp: cp, m: m, res: res, stop: stop, recent: newVersions(cp.Recent), mu: make(chan struct{}, 1),
		plan: newPlanner(l.Ranges, l.Read, l.Plan.PageSize, l.Plan.Concurrency, s.rate())}
	var wg sync.WaitGroup
	var errMu sync.Mutex
	var errs []error
	run.plan.spawn = func() {
		wg.Go(func() {
			if err := run.walker(ctx); err != nil {
				errMu.Lock()
				errs = append(errs, err)
				errMu.Unlock()
			}
		})
	}
	planStart := time.Now()
	run.plan.start()
	wg.Wait()
	if err := firstError(errs); err != nil {
		return run.cp, err
	}
	cp = run.cp
	run.plan.bounds(l)
	for _, p := range l.Ranges {
		if !p.Done {
			return cp, errors.New("a range of the full listing was left unwalked") // a bug: the plan lost it
		}
		cp.Watermark = later(cp.Watermark, p.Watermark)
	}
	s.Log.Info("ranges of the full listing read", "agents", l.Total, "ranges", len(l.Ranges), "walkers", run.plan.target, "most", run.plan.most,
		"latency", run.plan.latency.Round(time.Millisecond).String(), "took", time.Since(planStart).Round(time.Millisecond).String())
	l.Phase, l.Ranges = state.PhaseCatchUp, nil
	return cp, s.Store.Save(ctx, s.Key(), cp)
}

// rate is the requests a second the console allows for the stream's
// endpoint, as its client paces them (very large when unknown).
func (s *Stream) rate() float64 {
	if r, ok := s.Lister.(interface {
		Rate(sentinelone.Endpoint) float64
	}); ok {
		return r.Rate(s.API)
	}
	return math.MaxFloat64
}

// firstError prefers a stop over other errors: it is the one to report.
func firstError(errs []error) error {
	var first error
	for _, e := range errs {
		if errors.Is(e, ErrStopped) {
			return e
		}
		if first == nil {
			first = e
		}
	}
	return first
}

// partitionRun is the shared state of the ranges of one listing.
type partitionRun struct {
	s    *Stream
	m    mapper
	stop <-chan struct{}
	// mu guards cp, recent and res, and serialises delivery. A channel:
	// walkers waiting for a delivery that backs off are durably blocked,
	// which lets tests run it on a fake clock.
	mu chan struct{}
	cp state.Checkpoint
	// recent is the versions delivered at or after the listing's floor:
	// the catch-up walk reads them again and must not deliver them twice.
	recent *versions
	res    *Result
	halt   error // a save was refused (the stream was taken over): deliver nothing more
	plan   *planner
	failed atomic.Int64 // walks failed since the listing last read a page
}

func (r *partitionRun) lock()   { r.mu <- struct{}{} }
func (r *partitionRun) unlock() { <-r.mu }

// walker walks the ranges the plan gives it until there are none left.
func (r *partitionRun) walker(ctx context.Context) error {
	for {
		i := r.plan.next()
		if i < 0 {
			return nil
		}
		outcome, err := r.walk(ctx, i)
		r.plan.release(i, outcome)
		if err != nil {
			r.plan.halt()
			return err
		}
	}
}

// walk walks range i, again from its progress when it fails.
func (r *partitionRun) walk(ctx context.Context, i int) (int, error) {
	for attempt := 1; ; attempt++ {
		outcome, err := r.walkOnce(ctx, i)
		if err == nil {
			return outcome, nil
		}
		// Walks failing partitionAttempts times in all with no page read
		// in between (a console down, or too slow for the timeout) fail
		// the cycle now: the client has already retried each request, and
		// the failure must show.
		failed := r.failed.Add(1)
		if Stopping(ctx, r.stop, err) || attempt == partitionAttempts || failed >= partitionAttempts || r.plan.stopping() {
			return walkFailed, err
		}
		r.s.Log.Warn("range of the full listing failed; walking it again from its progress", "range", i, "attempt", attempt, "error", err)
	}
}

// walkOnce walks range i from its progress: its watermark, and the ids
// delivered at exactly that time; up to its upper bound, which a split
// may lower while it walks. Only this goroutine changes range i's progress.
func (r *partitionRun) walkOnce(ctx context.Context, i int) (int, error) {
	r.lock()
	r.plan.bounds(r.cp.Listing) // range i may be a new one
	p := r.cp.Listing.Ranges[i]
	r.unlock()
	seen := newVersions([]state.Stamp{{At: p.Watermark, IDs: p.Boundary}})
	from := p.Lo
	if p.Watermark.After(from) {
		from = p.Watermark
	}
	hi := r.plan.query(i)
	req := sentinelone.ListRequest{Endpoint: r.s.API, Query: r.s.timeQuery(from, hi), Map: r.m.forWalk().each}
	started, first := time.Now(), true
	// Each page is claimed as it arrives: no split goes at or before its
	// last record from then on; records of it at or after the range's
	// upper bound (a split may have lowered it) belong to another range.
	// Walks do not fetch ahead: the walkers are what keeps requests in
	// flight, and a page fetched ahead past a split would be wasted.
	for page, err := range r.s.Lister.Pages(ctx, req) {
		if err != nil {
			return walkFailed, err
		}
		r.failed.Store(0)
		last := r.m.lastTime(page)
		hi = r.plan.claim(i, last)
		if first {
			r.plan.countArrived(i, page.TotalItems, time.Since(started))
			first = false
		}
		done := page.Last() || !last.Before(hi)
		if err := r.handle(ctx, i, page, seen, hi, done); err != nil {
			return walkFailed, err
		}
		switch {
		case done:
			return walkDone, nil
		case stopped(r.stop):
			return walkFailed, ErrStopped
		case r.plan.yield():
			return walkYielded, nil
		}
	}
	return walkDone, r.finish(ctx, i)
}

// finish marks range i done.
func (r *partitionRun) finish(ctx context.Context, i int) error {
	r.lock()
	defer r.unlock()
	r.cp.Listing.Ranges[i].Done = true
	r.plan.bounds(r.cp.Listing)
	return r.s.Store.Save(ctx, r.s.Key(), r.cp)
}

// handle maps a page of range i (concurrently with the other ranges),
// then delivers its records before hi and saves the range's progress (one
// batch at a time), done when the page ends the range. Records at or
// after hi belong to a range split from this one.
func (r *partitionRun) handle(ctx context.Context, i int, page *sentinelone.Page, seen *versions, hi time.Time, done bool) error {
	beyond := 0
	prep := r.s.preparePage(page, r.m, func(k versionKey) bool {
		if !k.time().Before(hi) {
			beyond++
			return true
		}
		return seen.contains(k)
	})
	prep.read -= beyond
	r.plan.read(i, prep.read)
	r.lock()
	defer r.unlock()
	if r.halt != nil {
		return r.halt
	}
	if err := r.s.deliverPage(ctx, prep, r.res); err != nil {
		return err
	}
	l := r.cp.Listing
	p := &l.Ranges[i]
	floor := l.Floor.UnixMicro()
	for _, k := range prep.keys {
		seen.add(k)
		p.Watermark = later(p.Watermark, k.time())
		if k.at >= floor {
			r.recent.add(k)
		}
	}
	seen.forgetBefore(p.Watermark)
	p.Boundary, p.Done = seen.at(p.Watermark), done
	l.Read += int64(prep.read)
	r.cp.Recent = r.recent.stamps()
	r.cp.Delivered += int64(len(prep.batch.Events))
	total := l.Total
	if r.plan.bounds(l); total != l.Total {
		r.s.Status.listingPlanned(l.Total, 0)
	}
	if err := r.s.Store.Save(ctx, r.s.Key(), r.cp, r.s.seenBy(l, prep.ids)...); err != nil {
		if errors.Is(err, state.ErrNotOwner) {
			r.halt = err
		}
		return err
	}
	r.s.Status.delivered(len(prep.batch.Events), p.Watermark)
	return nil
}
