package pipeline

import (
	"context"
	"time"

	"s1collector/internal/series"
)

// SeriesWriter keeps what each stream did, ten minutes at a time, for the
// status page's charts; the state stores are ones.
type SeriesWriter interface {
	AddBuckets(ctx context.Context, key string, bs []series.Bucket) error
}

// seriesSaveTimeout bounds the save of a stream's series at a cycle's end,
// which also runs when the process is stopping.
const seriesSaveTimeout = 10 * time.Second

// saveSeries ends a cycle's part of the stream's series: it adds the lag
// at the cycle's end, then saves what the stream did since the last save.
// It runs on the stream's goroutine between cycles, so nothing is added
// to the series meanwhile; a save that fails is tried again after the next
// cycle (the buckets wait in memory, Keep at most). It runs before the
// stream returns from a stop or a handover, so the next holder of the
// stream finds everything this one did.
func (s *Stream) saveSeries(ctx context.Context) {
	if s.Status == nil {
		return
	}
	v := s.Status.Snapshot()
	if lag, ok := v.Lag(time.Now(), s.Interval, s.Delay); ok && v.Phase != PhaseDisabled {
		s.Status.update(func(v *StatusSnapshot) {
			v.Pending = series.Fold(v.Pending, series.Bucket{Start: time.Now(), LagSeconds: lag.Seconds()})
		})
	}
	pending := s.Status.Snapshot().Pending
	if s.Series == nil || len(pending) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), seriesSaveTimeout)
	defer cancel()
	if err := s.Series.AddBuckets(ctx, s.Key(), pending); err != nil {
		s.Log.Warn("the stream's chart data was not saved; kept in memory, saved after the next cycle", "error", err)
		return
	}
	s.Status.update(func(v *StatusSnapshot) { v.Pending, v.SeriesSaved = nil, v.SeriesSaved+1 })
}

// SeriesSaves counts the saves of the stream's series: what was shown of
// the saved series before one is out of date.
func (s *Status) SeriesSaves() int64 {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snap.SeriesSaved
}
