package statetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"s1collector/internal/series"
	"s1collector/internal/state"
)

// seriesStore is what every store keeps of the streams' series, for the
// status page's charts.
type seriesStore interface {
	AddBuckets(ctx context.Context, key string, bs []series.Bucket) error
	Buckets(ctx context.Context, since time.Time) (map[string][]series.Bucket, error)
}

var seriesTests = []struct {
	name string
	test func(t *testing.T, open func() (state.Store, error))
}{
	{"SeriesAddUp", seriesAddUp},
	{"SeriesSurviveReopen", seriesSurviveReopen},
	{"SeriesForgetWhatIsOlderThanKeep", seriesForgetOld},
	{"SeriesConcurrentWriters", seriesConcurrentWriters},
}

func openSeries(t *testing.T, open func() (state.Store, error)) (state.Store, seriesStore) {
	t.Helper()
	s := mustOpen(t, open)
	ss, ok := s.(seriesStore)
	if !ok {
		t.Fatalf("%T keeps no series (AddBuckets, Buckets): the status page's charts would not survive a restart", s)
	}
	return s, ss
}

func seriesAdd(t *testing.T, s seriesStore, key string, bs ...series.Bucket) {
	t.Helper()
	if err := s.AddBuckets(t.Context(), key, bs); err != nil {
		t.Fatal(err)
	}
}

func seriesRead(t *testing.T, s seriesStore, since time.Time) map[string][]series.Bucket {
	t.Helper()
	got, err := s.Buckets(t.Context(), since)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// seriesAddUp: two writes to one bucket add up (as two replicas taking
// turns at a stream do); the lag and last delivery keep the larger; each
// stream has its own; a read starts where asked.
func seriesAddUp(t *testing.T, open func() (state.Store, error)) {
	_, s := openSeries(t, open)
	now := series.Start(time.Now())
	key := state.Key("prod", "activities")
	seriesAdd(t, s, key,
		series.Bucket{Start: now.Add(-2 * time.Hour), Delivered: 100, Cycles: 10},
		series.Bucket{Start: now.Add(3 * time.Minute), Delivered: 7, Cycles: 2, Failed: 1, LagSeconds: 12.5, LastDelivery: now.Add(4 * time.Minute)})
	seriesAdd(t, s, key, series.Bucket{Start: now, Delivered: 5, Cycles: 1, LagSeconds: 3, LastDelivery: now.Add(time.Minute)})
	seriesAdd(t, s, state.Key("prod", "agents"), series.Bucket{Start: now, Delivered: 1000, Cycles: 1})
	got := seriesRead(t, s, now.Add(-time.Hour))
	want := series.Bucket{Start: now, Delivered: 12, Cycles: 3, Failed: 1, LagSeconds: 12.5, LastDelivery: now.Add(4 * time.Minute)}
	if b := got[key]; len(b) != 1 || !sameBucket(b[0], want) {
		t.Fatalf("activities: %+v, want [%+v]", b, want)
	}
	if b := got[state.Key("prod", "agents")]; len(b) != 1 || b[0].Delivered != 1000 || !b[0].LastDelivery.IsZero() {
		t.Fatalf("agents: %+v", b)
	}
	if b := seriesRead(t, s, time.Time{})[key]; len(b) != 2 || b[0].Delivered != 100 || !b[0].Start.Before(b[1].Start) {
		t.Fatalf("from the start, oldest first: %+v", b)
	}
}

func sameBucket(a, b series.Bucket) bool {
	return a.Start.Equal(b.Start) && a.Delivered == b.Delivered && a.Cycles == b.Cycles && a.Failed == b.Failed &&
		a.LagSeconds == b.LagSeconds && a.LastDelivery.Equal(b.LastDelivery)
}

func seriesSurviveReopen(t *testing.T, open func() (state.Store, error)) {
	s, ss := openSeries(t, open)
	now := series.Start(time.Now())
	seriesAdd(t, ss, "prod/threats", series.Bucket{Start: now, Delivered: 3, Cycles: 1})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, ss = openSeries(t, open)
	if b := seriesRead(t, ss, now)["prod/threats"]; len(b) != 1 || b[0].Delivered != 3 {
		t.Fatalf("after reopening: %+v", b)
	}
}

// seriesForgetOld: a stream's buckets older than series.Keep are dropped
// when it writes, so the store stays bounded.
func seriesForgetOld(t *testing.T, open func() (state.Store, error)) {
	_, s := openSeries(t, open)
	now := time.Now()
	seriesAdd(t, s, "prod/agents", series.Bucket{Start: now.Add(-series.Keep - time.Hour), Delivered: 1}, series.Bucket{Start: now.Add(-series.Keep + time.Hour), Delivered: 2})
	seriesAdd(t, s, "prod/agents", series.Bucket{Start: now, Delivered: 3})
	b := seriesRead(t, s, time.Time{})["prod/agents"]
	if len(b) != 2 || b[0].Delivered != 2 || b[1].Delivered != 3 {
		t.Fatalf("kept %+v, want the buckets of the last %s", b, series.Keep)
	}
}

// seriesConcurrentWriters: the holder of a stream and one handing it
// over write at once; nothing is lost.
func seriesConcurrentWriters(t *testing.T, open func() (state.Store, error)) {
	_, s := openSeries(t, open)
	now := series.Start(time.Now())
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 10 {
				if err := s.AddBuckets(t.Context(), "prod/alerts", []series.Bucket{{Start: now, Delivered: 1, Cycles: 1}}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if b := seriesRead(t, s, now)["prod/alerts"]; len(b) != 1 || b[0].Delivered != 40 || b[0].Cycles != 40 {
		t.Fatalf("after 40 concurrent adds: %+v", b)
	}
}
