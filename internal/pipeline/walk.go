package pipeline

import (
	"context"
	"errors"
	"net/url"
	"time"

	"s1collector/internal/sentinelone"
	"s1collector/internal/state"
)

// floor is where the next walk starts: the watermark less the overlap,
// but not before the keys the checkpoint holds are complete; during a
// full listing, its catch-up floor.
func (s *Stream) floor(cp state.Checkpoint) time.Time {
	if cp.Listing != nil {
		return cp.Listing.Floor
	}
	if cp.Watermark.IsZero() {
		return cp.KeysSince
	}
	return later(cp.Watermark.Add(-s.Overlap), cp.KeysSince)
}

// forgetBefore keeps the versions a walk from the checkpoint's floor could
// read again, and no others.
func (s *Stream) forgetBefore(cp state.Checkpoint, seen *versions) state.Checkpoint {
	f := s.floor(cp)
	seen.forgetBefore(f)
	cp.Recent, cp.KeysSince = seen.stamps(), later(cp.KeysSince, f)
	return cp
}

// errOutpaced means a walk read its budget of records before its end.
var errOutpaced = errors.New("the console changed faster than it could be read")

// walk reads from the floor to now (less the delay), oldest first, and
// delivers each page's versions not delivered before, saving the
// checkpoint after each. With a budget, it ends with errOutpaced once it
// has read that many records short of the last page.
func (s *Stream) walk(ctx context.Context, stop <-chan struct{}, cp state.Checkpoint, m mapper, res *Result, now time.Time, budget int) (state.Checkpoint, error) {
	seen := newVersions(cp.Recent)
	var upper time.Time
	if s.Delay > 0 {
		upper = now.Add(-s.Delay)
	}
	req := sentinelone.ListRequest{Endpoint: s.API, Query: s.timeQuery(s.floor(cp), upper), Map: m.forWalk().each}
	read := 0
	for page, err := range s.pagesAhead(ctx, req) {
		if err != nil {
			return cp, err
		}
		p := s.preparePage(page, m, seen.contains)
		if err := s.deliverPage(ctx, p, res); err != nil {
			return cp, err
		}
		for _, k := range p.keys {
			seen.add(k)
			cp.Watermark = later(cp.Watermark, k.time())
		}
		cp = s.forgetBefore(cp, seen)
		cp.Delivered += int64(len(p.batch.Events))
		var marks []state.Seen
		if cp.Listing != nil {
			cp.Listing.Read += int64(p.read)
			marks = s.seenBy(cp.Listing, p.ids)
		}
		if err := s.Store.Save(ctx, s.Key(), cp, marks...); err != nil {
			return cp, err
		}
		s.Status.delivered(len(p.batch.Events), cp.Watermark)
		if stopped(stop) && !page.Last() {
			return cp, ErrStopped
		}
		if read += p.read; budget > 0 && read >= budget && !page.Last() {
			return cp, errOutpaced
		}
	}
	return cp, nil
}

// timeQuery asks for records with their time field in [from, to) (either
// bound may be zero: open), oldest first, within the source's scope.
func (s *Stream) timeQuery(from, to time.Time) url.Values {
	f := timeField(s.API)
	q := url.Values{"sortBy": {f}, "sortOrder": {"asc"}}
	if !from.IsZero() {
		q.Set(f+"__gte", sentinelone.FormatTime(from))
	}
	if !to.IsZero() {
		q.Set(f+"__lt", sentinelone.FormatTime(to))
	}
	for k, v := range s.Scope {
		q[k] = v
	}
	return q
}

func stopped(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
