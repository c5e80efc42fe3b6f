package transform

import (
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
	ns    int
	ni    int
	nb    int
	nt    int
}

// keep returns a pointer to a copy of v.
func (s *store) keep(v string) *string {
	if s.ns == len(s.strs) {
		p := new(string) // full: v itself must not escape, or every call allocates
		*p = v
		return p
	}
	s.strs[s.ns] = v
	s.ns++
	return &s.strs[s.ns-1]
}

func (s *store) keepInt(v int64) *int64 {
	if s.ni == len(s.ints) {
		p := new(int64) // full: v itself must not escape, or every call allocates
		*p = v
		return p
	}
	s.ints[s.ni] = v
	s.ni++
	return &s.ints[s.ni-1]
}

func (s *store) keepBool(v bool) *bool {
	if s.nb == len(s.bools) {
		p := new(bool) // full: v itself must not escape, or every call allocates
		*p = v
		return p
	}
	s.bools[s.nb] = v
	s.nb++
	return &s.bools[s.nb-1]
}

func (s *store) keepTime(v time.Time) *time.Time {
	if s.nt == len(s.times) {
		p := new(time.Time) // full: v itself must not escape, or every call allocates
		*p = v
		return p
	}
	s.times[s.nt] = v
	s.nt++
	return &s.times[s.nt-1]
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
