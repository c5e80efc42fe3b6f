package pipeline

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"s1collector/internal/delivery"
	"s1collector/internal/retry"
	"s1collector/internal/sentinelone"
	"s1collector/internal/state"
	"s1collector/internal/transform"
)

// Lister walks a list endpoint; *sentinelone.Client is one.
type Lister interface {
	Pages(ctx context.Context, req sentinelone.ListRequest) iter.Seq2[*sentinelone.Page, error]
}

// Stream collects one API of one source.
type Stream struct {
	Source   delivery.SourceInfo
	API      sentinelone.Endpoint
	Lister   Lister
	Store    state.Store
	Outputs  []delivery.Output
	Profile  transform.Profile // ocsf maps every stream; sekoia agents only
	Interval time.Duration     // between the starts of two cycles
	Lookback time.Duration     // where events start on first run
	Delay    time.Duration     // a window ends this long before now
	FullSync time.Duration     // agents: full listing period
	// Concurrency is how many ranges of a full listing of agents are walked
	// at once (1: one walk). Counter sizes the ranges.
	Concurrency int
	Counter     Counter
	Scope       url.Values // siteIds / accountIds
	Now         func() time.Time
	Log         *slog.Logger
	// Delivery governs retries of a failing output; the checkpoint is held
	// meanwhile. Default: 1s doubling to 5m, until the context ends.
	Delivery retry.Policy
	Status   *Status
	// MappingVersion names how the outputs map devices (agents only): a
	// checkpoint saved under another starts a full listing, so that every
	// device is sent again, once, mapped the new way.
	MappingVersion string
}

// Key is the stream's checkpoint key.
func (s *Stream) Key() string { return state.Key(s.Source.Name, string(s.API)) }

// ErrStopped means the cycle ended early because stop was requested; what
// was delivered is checkpointed.
var ErrStopped = errors.New("stopped before the end of the cycle")

// Result is what one cycle did.
type Result struct {
	Pages, Read, Delivered, Skipped int
	Odd                             int // delivered with fields of unexpected types
	FullSync                        bool
	Gone                            []string // agents no longer listed (full syncs)
	Duration                        time.Duration
}

// Cycle walks the stream from its checkpoint to now, delivering page by page.
// It returns early with ErrStopped, checkpoint saved, once stop is closed.
func (s *Stream) Cycle(ctx context.Context, stop <-chan struct{}) (res Result, err error) {
	start := time.Now()
	defer func() { res.Duration = time.Since(start) }()
	cp, err := s.Store.Load(ctx, s.Key())
	if err != nil {
		return res, err
	}
	now := s.Now()
	if cp, err = s.begin(ctx, cp, now); err != nil {
		return res, err
	}
	res.FullSync = !cp.FullSyncStarted.IsZero()
	s.Status.cycleStarted(res.FullSync)
	m := mapper{api: s.API, profile: s.Profile, collected: s.Now}
	if res.FullSync && s.Concurrency > 1 && s.Counter != nil {
		if cp, err = s.partitioned(ctx, stop, cp, m, &res); err != nil {
			return res, err
		}
		return res, s.finish(ctx, cp, &res)
	}
	req := sentinelone.ListRequest{Endpoint: s.API, Query: s.query(cp.Watermark, now), Map: m.forWalk().each}
	for page, err := range s.Lister.Pages(ctx, req) {
		if err != nil {
			return res, err
		}
		var seen []state.Seen
		if cp, seen, err = s.handlePage(ctx, page, cp, m, &res); err != nil {
			return res, err
		}
		if err := s.Store.Save(ctx, s.Key(), cp, seen...); err != nil {
			return res, err
		}
		select {
		case <-stop:
			if !page.Last() {
				return res, ErrStopped
			}
		default:
		}
	}
	return res, s.finish(ctx, cp, &res)
}

// begin starts a full listing of agents when one is due (first run, or the
// period has passed) and places a first-run watermark for events.
func (s *Stream) begin(ctx context.Context, cp state.Checkpoint, now time.Time) (state.Checkpoint, error) {
	remap := s.MappingVersion != "" && cp.MappingVersion != s.MappingVersion
	if s.API == sentinelone.Agents && (remap || cp.FullSyncStarted.IsZero() && (cp.LastFullSync.IsZero() || now.Sub(cp.LastFullSync) >= s.FullSync)) {
		if remap && !cp.IsZero() {
			s.Log.Info("the mapping of devices changed: a full listing sends every device again", "was", cp.MappingVersion, "now", s.MappingVersion)
		}
		cp.FullSyncStarted, cp.Watermark, cp.Boundary, cp.Partitions = now, time.Time{}, nil, nil
		cp.MappingVersion = s.MappingVersion
		return cp, s.Store.Save(ctx, s.Key(), cp)
	}
	if s.API != sentinelone.Agents && cp.Watermark.IsZero() {
		cp.Watermark = now.Add(-s.Lookback)
	}
	return cp, nil
}

// query asks for records at or after the watermark, oldest first, up to
// now minus the delay.
func (s *Stream) query(watermark, now time.Time) url.Values {
	f := timeField(s.API)
	q := url.Values{"sortBy": {f}, "sortOrder": {"asc"}}
	if !watermark.IsZero() {
		q.Set(f+"__gte", sentinelone.FormatTime(watermark))
	}
	if s.Delay > 0 {
		q.Set(f+"__lt", sentinelone.FormatTime(now.Add(-s.Delay)))
	}
	for k, v := range s.Scope {
		q[k] = v
	}
	return q
}

// handlePage maps a page, skips what was already delivered, delivers the
// rest to every output and returns the checkpoint that now holds, and the
// devices seen by a full listing; the caller saves both.
func (s *Stream) handlePage(ctx context.Context, page *sentinelone.Page, cp state.Checkpoint, m mapper, res *Result) (state.Checkpoint, []state.Seen, error) {
	p := s.preparePage(page, cp, m)
	return s.commitPage(ctx, p, res)
}

// prepared is a mapped page, ready to deliver.
type prepared struct {
	batch   delivery.Batch
	ids     []string
	next    state.Checkpoint
	read    int
	skipped int
	odd     int
}

// preparePage maps a page; it touches no shared state, so pages of a
// partitioned listing are mapped concurrently.
func (s *Stream) preparePage(page *sentinelone.Page, cp state.Checkpoint, m mapper) prepared {
	s.Status.pageRead(len(page.Records), page.TotalItems)
	p := prepared{read: len(page.Records)}
	p.batch, p.ids, p.next = s.buildBatch(page, cp, m, &p)
	return p
}

// commitPage delivers a prepared page and counts it.
func (s *Stream) commitPage(ctx context.Context, p prepared, res *Result) (state.Checkpoint, []state.Seen, error) {
	res.Pages++
	res.Read += p.read
	res.Skipped += p.skipped
	res.Odd += p.odd
	s.Status.judged(p.odd, p.skipped)
	if len(p.batch.Events) > 0 {
		s.Status.delivering(len(p.batch.Events))
		if err := s.deliver(ctx, p.batch); err != nil {
			return p.next, nil, err
		}
	}
	var seen []state.Seen
	if !p.next.FullSyncStarted.IsZero() && len(p.ids) > 0 {
		seen = []state.Seen{{Source: s.Source.Name, IDs: p.ids, Generation: p.next.FullSyncStarted.UnixNano()}}
	}
	p.next.Delivered += int64(len(p.batch.Events))
	res.Delivered += len(p.batch.Events)
	s.Status.delivered(len(p.batch.Events), p.next.Watermark)
	return p.next, seen, nil
}

// buildBatch returns the page's new events, the ids it listed and the
// checkpoint that holds once they are delivered.
func (s *Stream) buildBatch(page *sentinelone.Page, cp state.Checkpoint, m mapper, counts *prepared) (delivery.Batch, []string, state.Checkpoint) {
	batch := delivery.Batch{Source: s.Source.Name, Stream: string(s.API), Info: s.Source}
	seen := make(map[string]bool, len(cp.Boundary))
	for _, id := range cp.Boundary {
		seen[id] = true
	}
	next := cp
	var ids []string
	for i, rec := range page.Records {
		r, err := m.recordOf(rec)
		if err != nil {
			counts.skipped++
			s.Log.Warn("record skipped", "page", page.Number, "index", i, "error", err)
			continue
		}
		ids = append(ids, r.id)
		s.logProblems(r)
		if r.timeErr == nil && r.time.Equal(cp.Watermark) && seen[r.id] {
			continue // delivered by an earlier cycle: the boundary of the watermark
		}
		if r.odd() {
			counts.odd++
		}
		batch.Events = append(batch.Events, s.event(r))
		next = advance(next, r)
	}
	return batch, ids, next
}

// advance moves the watermark to a delivered record's time; ids at the
// watermark form its boundary.
func advance(cp state.Checkpoint, r record) state.Checkpoint {
	switch {
	case r.timeErr != nil || r.time.Before(cp.Watermark):
	case r.time.After(cp.Watermark):
		cp.Watermark, cp.Boundary = r.time, []string{r.id}
	default:
		cp.Boundary = append(append([]string(nil), cp.Boundary...), r.id)
	}
	return cp
}

func (s *Stream) event(r record) delivery.Event {
	return delivery.Event{ID: r.id, Time: r.time, Kind: r.kind, Body: r.body, Meta: s.Source.Meta(),
		MetaInUnmapped: r.mapped && s.Profile == transform.ProfileOCSF}
}

func (s *Stream) logProblems(r record) {
	if r.timeErr != nil {
		s.Log.Warn("record time unreadable; delivered, checkpoint not moved by it", "id", r.id, "field", timeField(s.API), "error", r.timeErr)
	}
	if len(r.problems) > 0 {
		msg := "fields dropped from event"
		if !r.mapped {
			msg = "fields of unexpected types; delivered as they came"
		}
		s.Log.Warn(msg, "id", r.id, "fields", strings.Join(r.problems, "; "))
	}
}

// finish closes a full listing: devices not seen since it began are gone.
func (s *Stream) finish(ctx context.Context, cp state.Checkpoint, res *Result) error {
	if cp.FullSyncStarted.IsZero() {
		return nil
	}
	gone, err := s.Store.Sweep(ctx, s.Source.Name, cp.FullSyncStarted.UnixNano())
	if err != nil {
		return err
	}
	res.Gone = gone
	if len(gone) > 0 {
		s.Log.Warn("devices no longer listed by the console since the previous full listing", "count", len(gone), "ids", sample(gone, 20))
	}
	cp.LastFullSync, cp.FullSyncStarted = cp.FullSyncStarted, time.Time{}
	return s.Store.Save(ctx, s.Key(), cp)
}

func sample(ids []string, n int) string {
	if len(ids) <= n {
		return strings.Join(ids, ",")
	}
	return strings.Join(ids[:n], ",") + fmt.Sprintf(",… (%d more)", len(ids)-n)
}
