package sentinelone

import (
	"slices"
	"unsafe"
)

// arena hands out the strings of decoded records from shared blocks: one
// allocation for many small strings instead of one each. A block is
// written once and never reused, so its strings stay as immutable as any
// Go string; a string kept alive keeps its block (a few KiB) alive. A nil
// arena allocates each string.
type arena struct {
	block []byte
	list  []string // the same, for lists of strings
}

const (
	arenaBlock = 4 << 10
	listBlock  = 64
)

// str returns b as a string.
func (a *arena) str(b []byte) string {
	if a == nil || len(b) > arenaBlock/4 {
		return string(b)
	}
	if len(b) == 0 {
		return ""
	}
	if cap(a.block)-len(a.block) < len(b) {
		a.block = make([]byte, 0, arenaBlock)
	}
	off := len(a.block)
	a.block = append(a.block, b...)
	return unsafe.String(&a.block[off], len(b))
}

// strings returns a copy of v, of its own length and capacity: appending
// to it never writes over another list.
func (a *arena) strings(v []string) []string {
	if a == nil || len(v) > listBlock/4 {
		return slices.Clone(v)
	}
	if cap(a.list)-len(a.list) < len(v) {
		a.list = make([]string, 0, min(listBlock, max(2*cap(a.list), listBlock/4))) // a model decoded once needs little
	}
	off := len(a.list)
	a.list = append(a.list, v...)
	return a.list[off:len(a.list):len(a.list)]
}
