package server

import (
	"context"
	"sync"
	"time"

	"s1collector/internal/series"
)

// SeriesReader reads the streams' saved series; the state stores are
// ones.
type SeriesReader interface {
	Buckets(ctx context.Context, since time.Time) (map[string][]series.Bucket, error)
}

const (
	// seriesFresh is how long a read of the series is shown before it is
	// read again, unless a stream of this process saved its own since:
	// what other replicas saved shows within it.
	seriesFresh = 10 * time.Second
	// seriesReadTimeout bounds a read; the page shows the last read
	// meanwhile.
	seriesReadTimeout = 3 * time.Second
)

// seriesCache holds the last read of the series, so that the page, the
// API and every scrape do not each read the store.
type seriesCache struct {
	mu    sync.Mutex
	at    time.Time
	mark  int64 // the streams' saves when read
	data  map[string][]series.Bucket
	err   string
	errAt time.Time
}

// savedSeries returns the series as last read, reading them again when
// older than seriesFresh or when a stream saved since (mark counts the
// saves). A read that fails keeps the last one and is told.
func (s *Server) savedSeries(r SeriesReader, now time.Time, mark int64) (map[string][]series.Bucket, string) {
	if r == nil {
		return nil, ""
	}
	c := &s.series
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.data != nil && mark == c.mark && now.Sub(c.at) < seriesFresh {
		return c.data, c.err
	}
	ctx, cancel := context.WithTimeout(context.Background(), seriesReadTimeout)
	defer cancel()
	data, err := r.Buckets(ctx, now.Add(-series.Keep))
	if err != nil {
		if c.err == "" {
			c.errAt = now
		}
		c.err, c.at = err.Error(), now
		return c.data, c.err
	}
	c.data, c.at, c.mark, c.err = data, now, mark, ""
	return c.data, ""
}

// seriesMark counts the series saves of every stream shown.
func seriesMark(sources []Source) int64 {
	var n int64
	for _, src := range sources {
		for _, st := range src.Streams {
			n += st.Status.SeriesSaves()
		}
	}
	return n
}
