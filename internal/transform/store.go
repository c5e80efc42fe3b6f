package transform

import (
	"sync"
	"time"

	"s1collector/internal/sentinelone"
)

// store holds the values the pointers of facts point at, so that resolving
// an agent allocates once rather than once per field. The pointers stay
// valid as long as the facts do, and so do the events built from them.
type store struct {
	strs  [32]string
	ints  [10]int64
	bools [8]bool
	times [4]time.Time
	lists [12]string // the addresses flattened from the interfaces
	ns    int
	ni    int
	nb    int
	nt    int
	nl    int
}

// keepIn copies v into the next free slot and returns its address; when
// all are taken, into a new allocation (v itself must not escape, or every
// call would allocate).
func keepIn[T any](slots []T, n *int, v T) *T {
	if *n == len(slots) {
		p := new(T)
		*p = v
		return p
	}
	slots[*n] = v
	*n++
	return &slots[*n-1]
}

// keep returns a pointer to a copy of v.
func (s *store) keep(v string) *string { return keepIn(s.strs[:], &s.ns, v) }

func (s *store) keepInt(v int64) *int64 { return keepIn(s.ints[:], &s.ni, v) }

func (s *store) keepBool(v bool) *bool { return keepIn(s.bools[:], &s.nb, v) }

func (s *store) keepTime(v time.Time) *time.Time { return keepIn(s.times[:], &s.nt, v) }

// epochSeconds is the seed's "Unix epoch" of t: whole seconds, fraction
// dropped; nil when t is.
func (s *store) epochSeconds(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	return s.keepInt(t.Unix())
}

// str is v's value, or nil when unset.
func (s *store) str(v sentinelone.String) *string {
	if !v.Set {
		return nil
	}
	return s.keep(v.Value)
}

// nonEmpty is v's value, or nil when unset or empty.
func (s *store) nonEmpty(v sentinelone.String) *string {
	if !v.Set || v.Value == "" {
		return nil
	}
	return s.keep(v.Value)
}

func (s *store) int(v sentinelone.Int) *int64 {
	if !v.Set {
		return nil
	}
	return s.keepInt(v.Value)
}

func (s *store) bool(v sentinelone.Bool) *bool {
	if !v.Set {
		return nil
	}
	return s.keepBool(v.Value)
}

// pick is the seed field when present, else the real one.
func (s *store) pick(seed, real sentinelone.String) *string {
	if seed.Set {
		return s.str(seed)
	}
	return s.str(real)
}

func (s *store) pickInt(seed, real sentinelone.Int) *int64 {
	if seed.Set {
		return s.int(seed)
	}
	return s.int(real)
}

func (s *store) pickBool(seed, real sentinelone.Bool) *bool {
	if seed.Set {
		return s.bool(seed)
	}
	return s.bool(real)
}

// spareFacts are facts to resolve an agent into when nothing built from
// them outlives the call (an event written at once): resolving then
// allocates nothing.
var spareFacts = sync.Pool{New: func() any { return new(facts) }}

// putFacts clears f, so that it holds on to nothing of its agent (its
// problems belong to the caller now), and gives it back to spareFacts.
func putFacts(f *facts) {
	*f = facts{}
	spareFacts.Put(f)
}
