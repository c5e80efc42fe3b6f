package emulator

import "sort"

// table holds the changing state of a set of records (agents, threats,
// activities) without holding their documents: a document is rendered from
// (seed, index, version) when asked for. Memory is about 24 bytes a record
// plus 16 bytes a change.
//
// Records are numbered in creation order, so createdAt never decreases with
// the index. The updatedAt order is the "base" records (those that existed at
// start, sorted by their original updatedAt) followed by the change log in
// time order; an entry is live only while it is its record's latest version.
type table struct {
	created     []int64  // µs, non-decreasing
	updated     []int64  // µs, current updatedAt
	version     []uint32 // current version; 0 = as created
	base        []uint32 // indexes of the start records by baseUpdated
	baseUpdated func(i int) int64
	log         []change
	gone        []bool // removed records; nil until one is
	goneCount   int
}

// decommissionedBit marks a version whose agent was decommissioned: later
// versions keep it.
const decommissionedBit uint32 = 1 << 31

type change struct {
	idx     uint32
	version uint32
	at      int64
}

// newTable creates n start records.
func newTable(n int, created, baseUpdated func(i int) int64) *table {
	t := &table{
		created:     make([]int64, n),
		updated:     make([]int64, n),
		version:     make([]uint32, n),
		base:        make([]uint32, n),
		baseUpdated: baseUpdated,
	}
	for i := range n {
		t.created[i] = created(i)
		t.updated[i] = baseUpdated(i)
		t.base[i] = uint32(i)
	}
	sort.Slice(t.base, func(a, b int) bool {
		ua, ub := t.updated[t.base[a]], t.updated[t.base[b]]
		return ua < ub || (ua == ub && t.base[a] < t.base[b])
	})
	return t
}

func (t *table) len() int { return len(t.created) }

// create appends a record created at us.
func (t *table) create(us int64) int {
	i := len(t.created)
	t.created = append(t.created, us)
	t.updated = append(t.updated, us)
	t.version = append(t.version, 0)
	t.log = append(t.log, change{idx: uint32(i), at: us})
	if t.gone != nil {
		t.gone = append(t.gone, false)
	}
	return i
}

// update gives record i a new version at us.
func (t *table) update(i int, us int64) { t.updateFlag(i, us, 0) }

// updateFlag gives record i a new version at us, with flag set in it.
func (t *table) updateFlag(i int, us int64, flag uint32) {
	t.version[i] = (t.version[i] + 1) | flag
	t.updated[i] = us
	t.log = append(t.log, change{idx: uint32(i), version: t.version[i], at: us})
}

// remove deletes record i: no list shows it again.
func (t *table) remove(i int) {
	if t.gone == nil {
		t.gone = make([]bool, t.len())
	}
	if !t.gone[i] {
		t.gone[i] = true
		t.goneCount++
	}
}

func (t *table) isGone(i int) bool { return t.gone != nil && t.gone[i] }

// live is the number of records not removed.
func (t *table) live() int { return t.len() - t.goneCount }

// seqLen is the length of the updatedAt sequence.
func (t *table) seqLen() int { return len(t.base) + len(t.log) }

// seqAt returns the record at position pos of the updatedAt sequence, the
// updatedAt of that entry and whether the entry is still live.
func (t *table) seqAt(pos int) (idx int, at int64, live bool) {
	if pos < len(t.base) {
		idx = int(t.base[pos])
		return idx, t.baseUpdated(idx), t.version[idx] == 0
	}
	c := t.log[pos-len(t.base)]
	return int(c.idx), c.at, t.version[c.idx] == c.version
}

// seqSearch returns the first position whose updatedAt is >= us (or > us
// when strict).
func (t *table) seqSearch(us int64, strict bool) int {
	return sort.Search(t.seqLen(), func(pos int) bool {
		_, at, _ := t.seqAt(pos)
		if strict {
			return at > us
		}
		return at >= us
	})
}

// createdSearch returns the first index whose createdAt is >= us (> when strict).
func (t *table) createdSearch(us int64, strict bool) int {
	return sort.Search(len(t.created), func(i int) bool {
		if strict {
			return t.created[i] > us
		}
		return t.created[i] >= us
	})
}
