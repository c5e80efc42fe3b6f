package transform

import "slices"

// manyValues is where distinct stops scanning its list for a value and
// keeps a set instead: a scan for each of many values (a device reporting
// thousands of interfaces) would cost their square.
const manyValues = 32

// distinct appends to a list the values it does not hold yet, in order.
type distinct[T comparable] struct {
	seen map[T]bool
}

// add appends v to list unless list holds it; list is the list add
// returned last (or its start).
func (d *distinct[T]) add(list []T, v T) []T {
	switch {
	case d.seen != nil:
		if d.seen[v] {
			return list
		}
		d.seen[v] = true
	case slices.Contains(list, v):
		return list
	case len(list) == manyValues:
		d.seen = make(map[T]bool, 2*manyValues)
		for _, o := range list {
			d.seen[o] = true
		}
		d.seen[v] = true
	}
	return append(list, v)
}
