package pipeline

import (
	"context"
	"errors"
	"sync"
	"time"

	"s1collector/internal/sentinelone"
	"s1collector/internal/state"
)

// partitionAttempts is how often a failing range is walked again before
// the cycle fails (the others go on; progress is kept).
const partitionAttempts = 3

// ranges runs the first phase of a full listing: the ranges of updatedAt
// before its start, walked Plan.Concurrency at a time, each with its own
// cursor and progress in the checkpoint. Pages are fetched and mapped
// concurrently; delivery and checkpoint saves happen one batch at a time,
// so outputs see the stream as usual.
func (s *Stream) ranges(ctx context.Context, stop <-chan struct{}, cp state.Checkpoint, m mapper, res *Result) (state.Checkpoint, error) {
	l := cp.Listing
	if len(l.Ranges) == 0 {
		if err := s.planRanges(ctx, l); err != nil {
			return cp, err
		}
		if err := s.Store.Save(ctx, s.Key(), cp); err != nil {
			return cp, err
		}
	}
	s.Status.listingPlanned(l.Total, l.Read)
	run := &partitionRun{s: s, cp: cp, m: m, res: res, stop: stop, recent: newVersions(cp.Recent), mu: make(chan struct{}, 1)}
	sem := make(chan struct{}, l.Plan.Concurrency)
	errs := make([]error, len(l.Ranges))
	var wg sync.WaitGroup
	for i, p := range l.Ranges {
		if p.Done {
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = run.walk(ctx, i)
		})
	}
	wg.Wait()
	if err := firstError(errs); err != nil {
		return run.cp, err
	}
	cp = run.cp
	for _, p := range l.Ranges {
		cp.Watermark = later(cp.Watermark, p.Watermark)
	}
	l.Phase, l.Ranges = state.PhaseCatchUp, nil
	return cp, s.Store.Save(ctx, s.Key(), cp)
}

// planRanges cuts updatedAt before the listing's start into ranges.
func (s *Stream) planRanges(ctx context.Context, l *state.Listing) error {
	if s.Counter == nil {
		l.Ranges = []state.Partition{{Hi: l.Started}}
		return nil
	}
	planStart := time.Now()
	parts, err := PlanPartitions(ctx, s.Counter, s.Scope, l.Started, l.Plan.Concurrency, l.Plan.PageSize)
	if err != nil {
		return err
	}
	l.Ranges, l.Total = parts, 0
	for _, p := range parts {
		l.Total += p.Records
	}
	s.Log.Info("full listing planned", "agents", l.Total, "ranges", len(parts), "concurrency", l.Plan.Concurrency,
		"took", time.Since(planStart).Round(time.Millisecond).String())
	return nil
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
}

func (r *partitionRun) lock()   { r.mu <- struct{}{} }
func (r *partitionRun) unlock() { <-r.mu }

// walk walks range i, again from its progress when it fails.
func (r *partitionRun) walk(ctx context.Context, i int) error {
	for attempt := 1; ; attempt++ {
		err := r.walkOnce(ctx, i)
		if err == nil || Stopping(ctx, r.stop, err) || attempt == partitionAttempts {
			return err
		}
		r.s.Log.Warn("range of the full listing failed; walking it again from its progress", "range", i, "attempt", attempt, "error", err)
	}
}

// walkOnce walks range i from its progress: its watermark, and the ids
// delivered at exactly that time. Only this goroutine changes range i.
func (r *partitionRun) walkOnce(ctx context.Context, i int) error {
	r.lock()
	p := r.cp.Listing.Ranges[i]
	r.unlock()
	seen := newVersions([]state.Stamp{{At: p.Watermark, IDs: p.Boundary}})
	from := p.Lo
	if p.Watermark.After(from) {
		from = p.Watermark
	}
	req := sentinelone.ListRequest{Endpoint: r.s.API, Query: r.s.timeQuery(from, p.Hi), Map: r.m.forWalk().each}
	for page, err := range r.s.pagesAhead(ctx, req) {
		if err != nil {
			return err
		}
		if err := r.handle(ctx, i, page, seen); err != nil {
			return err
		}
		if stopped(r.stop) && !page.Last() {
			return ErrStopped
		}
	}
	r.lock()
	defer r.unlock()
	r.cp.Listing.Ranges[i].Done = true
	return r.s.Store.Save(ctx, r.s.Key(), r.cp)
}

// handle maps a page of range i (concurrently with the other ranges),
// then delivers it and saves the range's progress (one batch at a time).
func (r *partitionRun) handle(ctx context.Context, i int, page *sentinelone.Page, seen *versions) error {
	prep := r.s.preparePage(page, r.m, seen.contains)
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
	p.Boundary = seen.at(p.Watermark)
	l.Read += int64(prep.read)
	r.cp.Recent = r.recent.stamps()
	r.cp.Delivered += int64(len(prep.batch.Events))
	if err := r.s.Store.Save(ctx, r.s.Key(), r.cp, r.s.seenBy(l, prep.ids)...); err != nil {
		if errors.Is(err, state.ErrNotOwner) {
			r.halt = err
		}
		return err
	}
	r.s.Status.delivered(len(prep.batch.Events), p.Watermark)
	return nil
}
