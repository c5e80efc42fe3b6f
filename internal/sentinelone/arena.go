package sentinelone

import "unsafe"

// arena hands out the strings of decoded records from shared blocks: one
// allocation for many small strings instead of one each. A block is
// written once and never reused, so its strings stay as immutable as any
// Go string; a string kept alive keeps its block (a few KiB) alive. A nil
// arena allocates each string.
type arena struct {
	block []byte
}

const arenaBlock = 4 << 10

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
