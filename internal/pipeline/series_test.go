package pipeline

import (
	"context"
	"errors"
	"iter"
	"sync"
	"testing"
	"time"

	"s1collector/internal/emulator"
	"s1collector/internal/sentinelone"
	"s1collector/internal/series"
)

// seriesBook keeps series as a store does; fail makes its writes fail.
type seriesBook struct {
	mu    sync.Mutex
	saved map[string][]series.Bucket
	fail  error
}

func (b *seriesBook) AddBuckets(_ context.Context, key string, bs []series.Bucket) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail != nil {
		return b.fail
	}
	if b.saved == nil {
		b.saved = map[string][]series.Bucket{}
	}
	b.saved[key] = series.Merge(b.saved[key], bs)
	return nil
}

// total adds up what the book holds of key.
func (b *seriesBook) total(key string) series.Bucket {
	b.mu.Lock()
	defer b.mu.Unlock()
	var t series.Bucket
	for _, x := range b.saved[key] {
		t.Add(x)
	}
	return t
}

// seriesStream is an activities stream of a console holding n, saving
// its series in a book.
func seriesStream(t *testing.T, n int) (*Stream, *seriesBook) {
	t.Helper()
	emu, err := emulator.New(emulator.Config{Agents: 5, HistoryActivities: n, RateLimits: map[string]emulator.RateLimit{}})
	if err != nil {
		t.Fatal(err)
	}
	book := &seriesBook{}
	s := newStream(t, emu, sentinelone.Activities, newMemStore(), &fakeOutput{name: "o"})
	s.Series = book
	return s, book
}

// failingLister answers every listing with err.
type failingLister struct{ err error }

func (f failingLister) Pages(context.Context, sentinelone.ListRequest) iter.Seq2[*sentinelone.Page, error] {
	return func(yield func(*sentinelone.Page, error) bool) { yield(nil, f.err) }
}

// TestSeriesSavedAtTheEndOfEveryCycle: each cycle's events, its end (ok
// or failed) and the lag then are saved when it ends, and the status holds
// nothing unsaved after.
func TestSeriesSavedAtTheEndOfEveryCycle(t *testing.T) {
	s, book := seriesStream(t, 40)
	c := &Collector{Streams: []*Stream{s}, Log: s.Log}
	before := time.Now()
	c.Once(t.Context(), nil)
	got := book.total(s.Key())
	if got.Delivered != 40 || got.Cycles != 1 || got.Failed != 0 || got.LagSeconds <= 0 || got.LastDelivery.Before(before) {
		t.Fatalf("after a cycle that delivered 40: %+v", got)
	}
	if v := s.Status.Snapshot(); len(v.Pending) != 0 || s.Status.SeriesSaves() != 1 {
		t.Fatalf("unsaved after the save: %+v (%d saves)", v.Pending, s.Status.SeriesSaves())
	}
	s.Lister = failingLister{errors.New("activities: HTTP 500")}
	c.Once(t.Context(), nil)
	if got := book.total(s.Key()); got.Delivered != 40 || got.Cycles != 2 || got.Failed != 1 {
		t.Fatalf("after a failed cycle: %+v", got)
	}
}

// TestSeriesWaitWhileTheStoreIsDown: a save that fails keeps the buckets
// in the status (the page still shows them) and the next cycle saves them
// with its own.
func TestSeriesWaitWhileTheStoreIsDown(t *testing.T) {
	s, book := seriesStream(t, 40)
	book.fail = errors.New("state file is read-only")
	c := &Collector{Streams: []*Stream{s}, Log: s.Log}
	c.Once(t.Context(), nil)
	var pending series.Bucket
	for _, b := range s.Status.Snapshot().Pending {
		pending.Add(b)
	}
	if pending.Delivered != 40 || pending.Cycles != 1 || s.Status.SeriesSaves() != 0 {
		t.Fatalf("kept while the store is down: %+v", pending)
	}
	book.mu.Lock()
	book.fail = nil
	book.mu.Unlock()
	c.Once(t.Context(), nil)
	if got := book.total(s.Key()); got.Delivered != 40 || got.Cycles != 2 {
		t.Fatalf("saved once the store is back: %+v", got)
	}
}

// TestSeriesSavedWhenACycleIsStopped: a cycle stopped after its first
// page (shutdown, or a handover to another replica) saves what it
// delivered before the stream returns: the next holder's chart has it.
func TestSeriesSavedWhenACycleIsStopped(t *testing.T) {
	s, book := seriesStream(t, 2500)
	stop := make(chan struct{})
	// Stopped while its first batch is delivered: that batch finishes (a
	// stop closed before the cycle starts gives up its first request).
	s.Outputs[0].(*fakeOutput).onCall = sync.OnceFunc(func() { close(stop) })
	if err := (&Collector{Log: s.Log}).RunStream(t.Context(), stop, s); err != nil {
		t.Fatal(err)
	}
	if got := book.total(s.Key()); got.Delivered != 1000 || got.Cycles != 1 {
		t.Fatalf("after a cycle stopped after one page of 1,000: %+v", got)
	}
}
