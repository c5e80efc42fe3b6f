package pipeline

import (
	"context"
	"errors"
	"net/url"
	"time"

	"s1collector/internal/sentinelone"
	"s1collector/internal/state"
)

// A full listing of agents delivers every device the console lists, and
// finds those it no longer has. It is a snapshot bounded by its start T0:
//
//  1. ranges: updatedAt before T0, cut into ranges walked concurrently,
//     each with its own cursor and progress;
//  2. catch-up: once every range is done, a walk of updatedAt from T0 less
//     a margin to the present. An agent updated while its range waited
//     leaves that range for a time after T0 (console time, which the
//     margin absorbs), so this walk delivers it; versions the ranges
//     delivered are not delivered again. A console that changes faster
//     than it can be read would keep this walk going for ever: after as
//     many records as the ranges read, it ends, and the next poll takes
//     over;
//  3. removals: devices the previous listing saw and this one did not are
//     looked up by id; only those the console does not return are
//     reported, and delivered as removal events.
//
// Every agent listed at T0 and still listed at the end is delivered by the
// listing, however the ranges were chosen, as long as the console changes
// slower than the listing reads. Each phase's progress is in the
// checkpoint, so an interrupted listing resumes where it was; a listing
// resumed under another plan (concurrency, page size, scope) starts again.

// catchUpPages is the least a catch-up walk may read before it gives up
// on a console that changes faster than it can be read; otherwise it may
// read as many records as the ranges did.
const catchUpPages = 10

// MinListingMargin is the least clock skew between the collector and the
// console a full listing absorbs; a larger overlap widens it.
const MinListingMargin = time.Minute

func (s *Stream) listingMargin() time.Duration { return max(s.Overlap, MinListingMargin) }

// plan is the identity of a listing's ranges under the stream's settings.
func (s *Stream) plan() state.Plan {
	conc := s.Concurrency
	if conc < 1 {
		conc = 1
	}
	return state.Plan{Concurrency: conc, PageSize: s.pageSize(), Scope: scopeKey(s.Scope)}
}

func (s *Stream) pageSize() int {
	if s.PageSize > 0 {
		return s.PageSize
	}
	return 1000
}

// listing runs or resumes the phases of a full listing.
func (s *Stream) listing(ctx context.Context, stop <-chan struct{}, cp state.Checkpoint, m mapper, res *Result) error {
	var err error
	if cp.Listing.Phase == state.PhaseRanges || cp.Listing.Phase == "" {
		if cp, err = s.ranges(ctx, stop, cp, m, res); err != nil {
			return err
		}
	}
	s.Status.listingPlanned(cp.Listing.Total, cp.Listing.Read)
	if cp.Listing.Phase == state.PhaseCatchUp {
		budget := max(int(cp.Listing.Read), catchUpPages*s.pageSize())
		cp, err = s.walk(ctx, stop, cp, m, res, s.Now(), budget)
		switch {
		case errors.Is(err, errOutpaced):
			res.Behind = s.behind(ctx, cp.Watermark)
			s.Log.Warn("the console changes faster than the full listing can read it: it ends here, partial, and the next poll "+
				"delivers what changed since; devices it did not see are looked up before any is reported removed",
				"read", budget, "since", res.Behind.Since, "changed_since", res.Behind.Changed)
		case err != nil:
			return err
		}
		cp.Listing.Phase = state.PhaseRemovals
		if err := s.Store.Save(ctx, s.Key(), cp); err != nil {
			return err
		}
	}
	if cp, err = s.removals(ctx, stop, cp, res); err != nil {
		return err
	}
	return s.endListing(ctx, cp)
}

// endListing forgets the devices of older listings and returns the stream
// to incremental walks: from the newest version delivered less the
// overlap, not before the listing's catch-up floor.
func (s *Stream) endListing(ctx context.Context, cp state.Checkpoint) error {
	l := cp.Listing
	if err := s.Store.Sweep(ctx, s.Source.Name, l.Generation()); err != nil {
		return err
	}
	cp.LastFullSync, cp.LastGeneration, cp.Listing, cp.Scopes = l.Started, l.Generation(), nil, []string{l.Plan.Scope}
	cp = s.forgetBefore(cp, newVersions(cp.Recent))
	s.Log.Info("full listing complete", "started", l.Started, "read", l.Read, "removed", l.Removed)
	return s.Store.Save(ctx, s.Key(), cp)
}

// seenBy marks the ids a page of the listing read as seen by it.
func (s *Stream) seenBy(l *state.Listing, ids []string) []state.Seen {
	if len(ids) == 0 {
		return nil
	}
	return []state.Seen{{Source: s.Source.Name, IDs: ids, Generation: l.Generation()}}
}

// Behind is what a partial full listing left to the next poll.
type Behind struct {
	// Since is where the catch-up stopped: the newest version it delivered.
	Since time.Time `json:"since"`
	// Changed is the console's count of agents changed after Since; -1
	// when it could not be counted.
	Changed int64 `json:"changed"`
}

// agentCounter counts agents matching filters; *sentinelone.Client is one.
type agentCounter interface {
	CountAgents(ctx context.Context, filters url.Values) (int64, error)
}

// behind counts the agents changed after where an outpaced catch-up
// stopped: what the next poll delivers. The count is asked of the Lister
// when it can count (the console client can).
func (s *Stream) behind(ctx context.Context, since time.Time) *Behind {
	b := &Behind{Since: since, Changed: -1}
	counter, ok := s.Lister.(agentCounter)
	if !ok {
		return b
	}
	q := url.Values{}
	for k, v := range s.Scope {
		q[k] = v
	}
	q.Set("updatedAt__gt", sentinelone.FormatTime(since))
	n, err := counter.CountAgents(ctx, q)
	if err != nil {
		s.Log.Warn("could not count the agents a partial full listing left to the next poll", "error", err)
		return b
	}
	b.Changed = n
	return b
}
