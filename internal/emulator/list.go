package emulator

import "slices"

// hit is a record chosen for a page, captured under the lock so it can be
// rendered outside it.
type hit struct {
	idx              int
	version          uint32
	created, updated int64
}

// walk is a query over one table in the requested order. Positions are
// record indexes when sorting by id or createdAt (both follow creation
// order), and positions in the updatedAt sequence when sorting by updatedAt.
type walk struct {
	w         *world
	t         *table
	q         *query
	byUpdated bool
}

func (w *world) newWalk(q *query) *walk {
	t := w.agents
	switch q.endpoint {
	case "activities":
		t = w.acts
	case "threats":
		t = w.threats
	}
	return &walk{w: w, t: t, q: q, byUpdated: q.sortBy == "updatedAt"}
}

func (k *walk) length() int {
	if k.byUpdated {
		return k.t.seqLen()
	}
	return k.t.len()
}

// at returns the record at pos, its sort key and whether the entry is live.
func (k *walk) at(pos int) (idx int, key int64, live bool) {
	if k.byUpdated {
		return k.t.seqAt(pos)
	}
	return pos, k.t.created[pos], true
}

func (k *walk) sortBounds() bounds {
	if k.byUpdated {
		return k.q.updated
	}
	return k.q.created
}

// start is the first position of the walk, found by binary search on the
// sort key's range.
func (k *walk) start() int {
	b := k.sortBounds()
	search := k.t.createdSearch
	if k.byUpdated {
		search = k.t.seqSearch
	}
	if !k.q.desc {
		if b.hasLo {
			return search(b.lo, b.loOpen)
		}
		return 0
	}
	if b.hasHi {
		return search(b.hi, !b.hiOpen) - 1
	}
	return k.length() - 1
}

// beyond reports whether key is past the end of the sort key's range in the
// walk's direction, so nothing further can match.
func (k *walk) beyond(key int64) bool {
	b := k.sortBounds()
	if !k.q.desc {
		return b.hasHi && (key > b.hi || b.hiOpen && key == b.hi)
	}
	return b.hasLo && (key < b.lo || b.loOpen && key == b.lo)
}

func (k *walk) match(idx int) bool {
	q := k.q
	if q.noAccount || !q.created.contains(k.t.created[idx]) || !q.updated.contains(k.t.updated[idx]) || k.t.isGone(idx) {
		return false
	}
	if k.w.visibleAt(q.endpoint, idx, k.t.created[idx]) > k.w.nowUs {
		return false // not indexed yet
	}
	if q.ids != nil && !q.ids[k.w.recordIDOf(q.endpoint, idx)] {
		return false
	}
	if q.endpoint != "agents" && q.endpoint != "agents/count" {
		return true
	}
	if q.sites != nil && !q.sites[k.w.agentSite(idx)] {
		return false
	}
	if q.decommissioned == nil && q.uninstalled == nil {
		return true
	}
	st := k.w.agentStateOf(idx, k.t.version[idx])
	return (q.decommissioned == nil || slices.Contains(q.decommissioned, st.decommissioned)) &&
		(q.uninstalled == nil || slices.Contains(q.uninstalled, st.uninstalled))
}

// next returns the first matching position at or after pos in the walk's
// direction, or -1.
func (k *walk) next(pos int) int {
	step := 1
	if k.q.desc {
		step = -1
	}
	for n := k.length(); pos >= 0 && pos < n; pos += step {
		idx, key, live := k.at(pos)
		if k.beyond(key) {
			return -1
		}
		if live && k.match(idx) {
			return pos
		}
	}
	return -1
}

// page collects up to limit hits from pos and returns the position of the
// next match (-1 when the walk is over).
func (k *walk) page(pos, limit int) ([]hit, int) {
	step := 1
	if k.q.desc {
		step = -1
	}
	hits := make([]hit, 0, min(limit, 1000))
	for pos = k.next(pos); pos >= 0 && len(hits) < limit; pos = k.next(pos + step) {
		idx, _, _ := k.at(pos)
		hits = append(hits, hit{idx: idx, version: k.t.version[idx], created: k.t.created[idx], updated: k.t.updated[idx]})
	}
	return hits, pos
}

// count is the number of matches of the whole walk.
func (k *walk) count() int64 {
	step := 1
	if k.q.desc {
		step = -1
	}
	var n int64
	for pos := k.next(k.start()); pos >= 0; pos = k.next(pos + step) {
		n++
	}
	return n
}

func (w *world) recordIDOf(endpoint string, idx int) string {
	switch endpoint {
	case "activities":
		return recordID(activityIDBase, w.cfg.Seed, saltActivity, idx)
	case "threats":
		return recordID(threatIDBase, w.cfg.Seed, saltThreat, idx)
	}
	return recordID(agentIDBase, w.cfg.Seed, saltAgentDoc, idx)
}

func (w *world) agentSite(idx int) int {
	return int(mix(w.cfg.Seed, saltAgentDoc, uint64(idx), 3) % uint64(max(w.cfg.Sites, 1)))
}

// skip moves n matches past pos (the skip parameter); -1 when none remain.
func (k *walk) skip(pos, n int) int {
	step := 1
	if k.q.desc {
		step = -1
	}
	pos = k.next(pos)
	for ; n > 0 && pos >= 0; n-- {
		pos = k.next(pos + step)
	}
	return pos
}
