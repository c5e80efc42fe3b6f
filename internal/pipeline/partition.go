package pipeline

import (
	"context"
	"errors"
	"net/url"
	"sync"
	"time"

	"s1collector/internal/sentinelone"
	"s1collector/internal/state"
)

// partitionAttempts is how often a failing range is walked again before
// the cycle fails (the others go on; progress is kept).
const partitionAttempts = 3

// partitioned runs a full listing of agents as ranges of updatedAt walked
// concurrently, each with its own cursor and progress in the checkpoint.
// Pages are fetched concurrently; mapping, delivery and checkpoint saves
// happen one batch at a time, so outputs see the stream as usual.
func (s *Stream) partitioned(ctx context.Context, stop <-chan struct{}, cp state.Checkpoint, m mapper, res *Result) (state.Checkpoint, error) {
	if len(cp.Partitions) == 0 {
		planStart := time.Now()
		parts, err := PlanPartitions(ctx, s.Counter, s.Scope, s.Now(), s.Concurrency)
		if err != nil {
			return cp, err
		}
		cp.Partitions = parts
		if err := s.Store.Save(ctx, s.Key(), cp); err != nil {
			return cp, err
		}
		s.Log.Info("full listing planned", "partitions", len(parts), "concurrency", s.Concurrency, "took", time.Since(planStart).Round(time.Millisecond).String())
	}
	run := &partitionRun{s: s, cp: cp, m: m, res: res, stop: stop}
	sem := make(chan struct{}, s.Concurrency)
	errs := make([]error, len(cp.Partitions))
	var wg sync.WaitGroup
	for i, p := range cp.Partitions {
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
	for _, p := range cp.Partitions {
		cp = mergeWatermark(cp, p)
	}
	cp.Partitions = nil
	return cp, nil
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

func mergeWatermark(cp state.Checkpoint, p state.Partition) state.Checkpoint {
	switch {
	case p.Watermark.After(cp.Watermark):
		cp.Watermark, cp.Boundary = p.Watermark, p.Boundary
	case p.Watermark.Equal(cp.Watermark) && !p.Watermark.IsZero():
		cp.Boundary = append(append([]string(nil), cp.Boundary...), p.Boundary...)
	}
	return cp
}

// partitionRun is the shared state of one partitioned listing.
type partitionRun struct {
	s    *Stream
	m    mapper
	stop <-chan struct{}
	mu   sync.Mutex // guards cp, res and halt, and serialises delivery
	cp   state.Checkpoint
	res  *Result
	halt error // a save was refused (the stream was taken over): deliver nothing more
}

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

func (r *partitionRun) walkOnce(ctx context.Context, i int) error {
	r.mu.Lock()
	p := r.cp.Partitions[i]
	r.mu.Unlock()
	from := p.Lo
	if p.Watermark.After(from) {
		from = p.Watermark
	}
	q := url.Values{"sortBy": {"updatedAt"}, "sortOrder": {"asc"}}
	for k, v := range windowQuery(r.s.Scope, from, p.Hi) {
		q[k] = v
	}
	for page, err := range r.s.Lister.Pages(ctx, sentinelone.ListRequest{Endpoint: r.s.API, Query: q, Map: r.m.forWalk().each}) {
		if err != nil {
			return err
		}
		if err := r.handle(ctx, i, page); err != nil {
			return err
		}
		select {
		case <-r.stop:
			if !page.Last() {
				return ErrStopped
			}
		default:
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cp.Partitions[i].Done = true
	return r.s.Store.Save(ctx, r.s.Key(), r.cp)
}

// handle maps a page of range i (concurrently with the other ranges),
// then delivers it and saves the range's progress (one batch at a time).
// Only this goroutine changes range i, so reading it unlocked is safe.
func (r *partitionRun) handle(ctx context.Context, i int, page *sentinelone.Page) error {
	r.mu.Lock()
	p := r.cp.Partitions[i]
	fullSync := r.cp.FullSyncStarted
	r.mu.Unlock()
	view := state.Checkpoint{Watermark: p.Watermark, Boundary: p.Boundary, FullSyncStarted: fullSync}
	prep := r.s.preparePage(page, view, r.m)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.halt != nil {
		return r.halt
	}
	next, seen, err := r.s.commitPage(ctx, prep, r.res)
	if err != nil {
		return err
	}
	r.cp.Partitions[i].Watermark, r.cp.Partitions[i].Boundary = next.Watermark, next.Boundary
	r.cp.Delivered += next.Delivered - view.Delivered
	err = r.s.Store.Save(ctx, r.s.Key(), r.cp, seen...)
	if errors.Is(err, state.ErrNotOwner) {
		r.halt = err
	}
	return err
}
