package pipeline

import (
	"context"
	"net/url"
	"sort"
	"sync"
	"time"

	"s1collector/internal/sentinelone"
	"s1collector/internal/state"
)

// Counter counts agents matching filters; *sentinelone.Client is one.
type Counter interface {
	CountAgents(ctx context.Context, filters url.Values) (int64, error)
}

// PlanPartitions splits updatedAt before end (a full listing's start) into
// ranges of similar size for walkers concurrent walks: two per walker when
// each would still hold several pages (a walker that finishes early takes
// the next), one otherwise, asking the console for counts: geometric
// windows back from end, bisected while larger than the target, then
// merged in order. The first range is open below; the last ends at end.
// Every range carries the console's count, so the listing's total is known.
func PlanPartitions(ctx context.Context, c Counter, scope url.Values, end time.Time, walkers, pageSize int) ([]state.Partition, error) {
	pageSize = max(pageSize, 1)
	if walkers <= 1 {
		n, err := c.CountAgents(ctx, windowQuery(scope, time.Time{}, end))
		return []state.Partition{{Hi: end, Records: n}}, err
	}
	edges := []time.Time{end}
	for d := time.Hour; d < 120*365*24*time.Hour; d *= 2 {
		edges = append(edges, end.Add(-d))
	}
	edges = append(edges, time.Time{})
	windows, err := countWindows(ctx, c, scope, edges)
	if err != nil {
		return nil, err
	}
	var total int64
	for _, w := range windows {
		total += w.n
	}
	if total <= int64(2*pageSize) {
		return []state.Partition{{Hi: end, Records: total}}, nil
	}
	parts := walkers
	if total/int64(2*walkers) >= int64(5*pageSize) {
		parts = 2 * walkers
	}
	target := max((total+int64(parts)-1)/int64(parts), int64(pageSize))
	for round := 0; round < 4; round++ {
		split := false
		if windows, split, err = refine(ctx, c, scope, windows, target); err != nil {
			return nil, err
		}
		if !split {
			break
		}
	}
	return merge(windows, total, parts, end), nil
}

const (
	// countConcurrency bounds the count requests in flight while planning;
	// the client's rate limit paces them.
	countConcurrency = 24
)

type window struct {
	lo, hi time.Time
	n      int64
}

// countWindows counts the windows between consecutive edges (descending),
// concurrently.
func countWindows(ctx context.Context, c Counter, scope url.Values, edges []time.Time) ([]window, error) {
	ws := make([]window, len(edges)-1)
	for i := range ws {
		ws[i] = window{lo: edges[i+1], hi: edges[i]}
	}
	err := countAll(ctx, c, scope, ws)
	sort.Slice(ws, func(i, j int) bool { return ws[i].hi.Before(ws[j].hi) })
	return ws, err
}

func countAll(ctx context.Context, c Counter, scope url.Values, ws []window) error {
	var wg sync.WaitGroup
	errs := make([]error, len(ws))
	sem := make(chan struct{}, countConcurrency)
	for i := range ws {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			ws[i].n, errs[i] = c.CountAgents(ctx, windowQuery(scope, ws[i].lo, ws[i].hi))
		})
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// refine splits every window above target into enough equal pieces to
// bring each near half the target, in one round of concurrent counts.
func refine(ctx context.Context, c Counter, scope url.Values, ws []window, target int64) ([]window, bool, error) {
	var out, pieces []window
	for _, w := range ws {
		span := w.hi.Sub(w.lo)
		if w.n <= target || w.lo.IsZero() || span < 2*time.Microsecond {
			out = append(out, w)
			continue
		}
		k := min(2*((w.n+target-1)/target), 64)
		step := (span / time.Duration(k)).Truncate(time.Microsecond)
		for i := range k {
			lo, hi := w.lo.Add(time.Duration(i)*step), w.lo.Add(time.Duration(i+1)*step)
			if i == k-1 {
				hi = w.hi
			}
			pieces = append(pieces, window{lo: lo, hi: hi})
		}
	}
	if len(pieces) == 0 {
		return ws, false, nil
	}
	if err := countAll(ctx, c, scope, pieces); err != nil {
		return nil, false, err
	}
	out = append(out, pieces...)
	sort.Slice(out, func(i, j int) bool { return out[i].hi.Before(out[j].hi) })
	return out, true, nil
}

// merge joins consecutive windows (ascending) into at most parts
// partitions, cutting where the running count passes each share of the
// total; the first is open below and the last ends at end.
func merge(ws []window, total int64, parts int, end time.Time) []state.Partition {
	var out []state.Partition
	cur := state.Partition{}
	var seen int64
	for _, w := range ws {
		if w.n == 0 {
			continue
		}
		quota := total * int64(len(out)+1) / int64(parts)
		if cur.Records > 0 && seen+w.n/2 > quota && len(out) < parts-1 {
			cur.Hi = w.lo
			out = append(out, cur)
			cur = state.Partition{Lo: w.lo}
		}
		cur.Records += w.n
		seen += w.n
	}
	cur.Hi = end
	out = append(out, cur)
	out[0].Lo = time.Time{}
	return out
}

func windowQuery(scope url.Values, lo, hi time.Time) url.Values {
	q := url.Values{}
	for k, v := range scope {
		q[k] = v
	}
	if !lo.IsZero() {
		q.Set("updatedAt__gte", sentinelone.FormatTime(lo))
	}
	if !hi.IsZero() {
		q.Set("updatedAt__lt", sentinelone.FormatTime(hi))
	}
	return q
}
