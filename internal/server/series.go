package server

import (
	"bytes"
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

// oneLineNumbers writes each list of numbers of indented JSON on one
// line: the charts' series stay readable and take a tenth of the room. A
// list spans lines only as indentation does (a JSON string holds no raw
// line break), so "[" then a line break opens one wherever it is.
func oneLineNumbers(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		i := bytes.Index(b, []byte("[\n"))
		if i < 0 {
			break
		}
		out = append(out, b[:i]...)
		list, n := numbers(b[i:])
		out = append(out, list...)
		b = b[i+n:]
	}
	return append(out, b...)
}

// numbers reads an indented list at the start of b: when it holds only
// numbers it returns them on one line, else its "[" alone; and how much
// of b it read.
func numbers(b []byte) ([]byte, int) {
	out := []byte{'['}
	i := 1
	for {
		j := i
		for j < len(b) && (b[j] == '\n' || b[j] == ' ') {
			j++
		}
		k := j
		for k < len(b) && (b[k] >= '0' && b[k] <= '9' || bytes.IndexByte([]byte("-+.eE"), b[k]) >= 0) {
			k++
		}
		if k == j || k == len(b) {
			return b[:1], 1
		}
		out = append(out, b[j:k]...)
		switch {
		case b[k] == ',':
			out, i = append(out, ','), k+1
		case b[k] == '\n':
			for k < len(b) && (b[k] == '\n' || b[k] == ' ') {
				k++
			}
			if k < len(b) && b[k] == ']' {
				return append(out, ']'), k + 1
			}
			return b[:1], 1
		default:
			return b[:1], 1
		}
	}
}
