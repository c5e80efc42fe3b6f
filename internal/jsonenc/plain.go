package jsonenc

// The bytes of a string that need no escaping are found eight at a time:
// most strings of events (ids, names, addresses) need none, and looking at
// them one byte at a time was most of the time spent writing an event.

const (
	ones  = 0x0101010101010101 // 0x01 in every byte
	highs = 0x8080808080808080 // the high bit of every byte
)

// hasZero is non-zero when some byte of x is zero (exact: a borrow can set
// bits only above a byte that is zero).
func hasZero(x uint64) uint64 { return (x - ones) & ^x & highs }

// specialJSON is non-zero when some byte of x is not plain: a control byte
// (below 0x20) or a byte from 0x80 up (part of a rune to look at), both
// seen in (x | x-0x20…) & highs, or '"' or '\\'.
func specialJSON(x uint64) uint64 {
	return (x|(x-ones*0x20))&highs | hasZero(x^ones*'"') | hasZero(x^ones*'\\')
}

// specialHTML is specialJSON, and '<', '>' or '&'.
func specialHTML(x uint64) uint64 {
	return specialJSON(x) | hasZero(x^ones*'<') | hasZero(x^ones*'>') | hasZero(x^ones*'&')
}

// word is the eight bytes of s from i on, the first the lowest.
func word(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// plainEnd is the index of the first byte of s from i on that plain does
// not mark (len(s) when there is none). Fewer than eight bytes left, the
// last eight of s (some looked at already) are all plain, or the bytes are
// looked at one by one.
func plainEnd(s string, i int, html bool, plain *[256]bool) int {
	if html {
		for i+8 <= len(s) && specialHTML(word(s, i)) == 0 {
			i += 8
		}
		if i < len(s) && i+8 > len(s) && len(s) >= 8 && specialHTML(word(s, len(s)-8)) == 0 {
			return len(s)
		}
	} else {
		for i+8 <= len(s) && specialJSON(word(s, i)) == 0 {
			i += 8
		}
		if i < len(s) && i+8 > len(s) && len(s) >= 8 && specialJSON(word(s, len(s)-8)) == 0 {
			return len(s)
		}
	}
	for i < len(s) && plain[s[i]] {
		i++
	}
	return i
}
