package transform

import "sync"

// inflight bounds the bytes of records read but not yet written: take
// waits while others are in flight and n more would pass the limit, so a
// record larger than the limit goes alone.
type inflight struct {
	mu     sync.Mutex
	cond   *sync.Cond
	used   int
	limit  int
	closed bool
}

func newInflight(limit int) *inflight {
	f := &inflight{limit: limit}
	f.cond = sync.NewCond(&f.mu)
	return f
}

// take reserves n bytes; false once closed.
func (f *inflight) take(n int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for !f.closed && f.used > 0 && f.used+n > f.limit {
		f.cond.Wait()
	}
	f.used += n
	return !f.closed
}

// give returns n bytes taken.
func (f *inflight) give(n int) {
	f.mu.Lock()
	f.used -= n
	f.mu.Unlock()
	f.cond.Broadcast()
}

// close ends every wait.
func (f *inflight) close() {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	f.cond.Broadcast()
}
