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
	Series   SeriesWriter // keeps the status page's charts; nil: Status only
	Outputs  []delivery.Output
	Profile  transform.Profile // ocsf maps every stream; sekoia agents only
	Interval time.Duration     // between the starts of two cycles
	Lookback time.Duration     // where events start on first run
	Delay    time.Duration     // a window ends this long before now
	// Overlap is how far behind the watermark each walk reads again, for
	// records the console indexes late; versions already delivered are
	// not delivered again. During a full listing it is also the margin
	// (at least MinListingMargin) that absorbs clock skew.
	Overlap  time.Duration
	FullSync time.Duration // agents: full listing period
	// Concurrency caps the ranges of a full listing of agents walked at
	// once (1: one walk); within it, the listing walks as many as keep the
	// console at the Lister's rate limit (see plan.go).
	Concurrency int
	PageSize    int        // the client's page size, part of a listing's plan
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
	// Delivered, when set, is called once every output accepted a batch
	// and before its checkpoint is saved (tests land crashes there).
	Delivered func(delivery.Batch)
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
	// Gone is the devices the console no longer has, confirmed by a
	// lookup by id at the end of a full listing, each delivered as a
	// removal event (not counted in Delivered, which counts records).
	Gone []string
	// Behind is set when a full listing's catch-up was outpaced by the
	// console: the listing is partial, and Behind.Changed devices changed
	// since where it stopped (-1: unknown) are left to the next poll.
	Behind   *Behind
	Duration time.Duration
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
	res.FullSync = cp.Listing != nil
	s.Status.cycleStarted(res.FullSync)
	m := mapper{api: s.API, profile: s.Profile, collected: s.Now}
	if cp.Listing != nil {
		return res, s.listing(ctx, stop, cp, m, &res)
	}
	_, err = s.walk(ctx, stop, cp, m, &res, now, 0)
	return res, err
}

// begin places a first-run watermark for events, and for agents starts a
// full listing when one is due (first run, the period has passed, or the
// outputs map devices another way) or starts again one whose plan changed.
func (s *Stream) begin(ctx context.Context, cp state.Checkpoint, now time.Time) (state.Checkpoint, error) {
	if s.API != sentinelone.Agents {
		if cp.Watermark.IsZero() {
			cp.Watermark = now.Add(-s.Lookback)
		}
		return s.eventScope(ctx, cp)
	}
	plan := s.plan()
	switch remap := s.MappingVersion != "" && cp.MappingVersion != s.MappingVersion; {
	case remap:
		if !cp.IsZero() {
			s.Log.Info("the mapping of devices changed: a full listing sends every device again", "was", cp.MappingVersion, "now", s.MappingVersion)
		}
	case cp.Listing != nil && cp.Listing.Plan == plan:
		return cp, nil
	case cp.Listing != nil:
		s.Log.Info("the full listing under way was planned differently; starting it again",
			"was", fmt.Sprintf("%+v", cp.Listing.Plan), "now", fmt.Sprintf("%+v", plan))
	case scopeChanged(cp, plan.Scope):
		s.Log.Warn("the source's site_ids/account_ids changed since the last full listing: a full listing starts now, "+
			"so that devices of sites or accounts added to the scope arrive at once; it reports no device removed, "+
			"as devices listed under another scope say nothing about what the console removed",
			"was", otherScopes(cp.Scopes, plan.Scope), "now", scopeName(plan.Scope))
	case !cp.LastFullSync.IsZero() && now.Sub(cp.LastFullSync) < s.FullSync:
		return cp, nil
	}
	floor := now.Add(-s.listingMargin())
	cp.Listing = &state.Listing{Started: now, Floor: floor, Plan: plan, Phase: state.PhaseRanges, Gen: state.NextGeneration(cp.LastGeneration, cp.LastFullSync)}
	cp.Scopes = withScope(cp.Scopes, plan.Scope)
	cp.Watermark, cp.Recent, cp.KeysSince = time.Time{}, nil, floor
	cp.MappingVersion = s.MappingVersion
	return cp, s.Store.Save(ctx, s.Key(), cp)
}

// prepared is a mapped page, ready to deliver.
type prepared struct {
	batch   delivery.Batch
	ids     []string     // every record the page listed
	keys    []versionKey // the versions in the batch, with a readable time
	read    int
	skipped int
	odd     int
}

// preparePage maps a page and keeps the versions not delivered before; it
// touches no shared state, so pages of a partitioned listing are mapped
// concurrently.
func (s *Stream) preparePage(page *sentinelone.Page, m mapper, delivered func(versionKey) bool) prepared {
	s.Status.pageRead(len(page.Records), page.TotalItems)
	p := prepared{batch: delivery.Batch{Source: s.Source.Name, Stream: string(s.API), Info: s.Source}, read: len(page.Records)}
	p.ids = make([]string, 0, len(page.Records))
	for i, rec := range page.Records {
		r, err := m.recordOf(rec)
		if err != nil {
			p.skipped++
			s.Log.Warn("record skipped", "page", page.Number, "index", i, "error", err)
			continue
		}
		p.ids = append(p.ids, r.id)
		s.logProblems(r)
		k := versionKey{id: r.id, at: r.time.UnixMicro()}
		if r.timeErr == nil && delivered(k) {
			continue // this version was delivered before
		}
		if r.odd() {
			p.odd++
		}
		p.batch.Events = append(p.batch.Events, s.event(r))
		if r.timeErr == nil {
			p.keys = append(p.keys, k)
		}
	}
	return p
}

// deliverPage hands a prepared page to every output and counts it. The
// caller saves the checkpoint once it returns nil.
func (s *Stream) deliverPage(ctx context.Context, p prepared, res *Result) error {
	res.Pages++
	res.Read += p.read
	res.Skipped += p.skipped
	res.Odd += p.odd
	s.Status.judged(p.odd, p.skipped)
	return s.deliverBatch(ctx, p.batch, res)
}

// deliverBatch returns once every output accepted the batch.
func (s *Stream) deliverBatch(ctx context.Context, b delivery.Batch, res *Result) error {
	if len(b.Events) == 0 {
		return nil
	}
	s.Status.delivering(len(b.Events))
	b.Skipped = &delivery.Skips{}
	if err := s.deliver(ctx, b); err != nil {
		return err
	}
	if s.Delivered != nil {
		s.Delivered(b)
	}
	skipped := b.Skipped.Len()
	if skipped > 0 {
		s.Status.skippedByOutputs(skipped)
		res.Skipped += skipped
	}
	res.Delivered += len(b.Events) - skipped
	return nil
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

func sample(ids []string, n int) string {
	if len(ids) <= n {
		return strings.Join(ids, ",")
	}
	return strings.Join(ids[:n], ",") + fmt.Sprintf(",… (%d more)", len(ids)-n)
}
