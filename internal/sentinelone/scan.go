package sentinelone

import (
	"encoding/binary"
	"math/bits"
)

// A record is read in two steps: the decoder (jsontext) reads it as one
// value, which checks its syntax in its tight inner loop, and the model
// then walks those bytes once with the small scanner below, picking its
// members. The scanner relies on that check: it only finds where values
// end and is never given text the decoder refused.

// class sorts bytes for the scanner.
var class = [256]uint8{
	' ': ws, '\n': ws, '\r': ws, '\t': ws,
	'"': quote, '\\': backslash,
	'{': open, '[': open, '}': closing, ']': closing,
	',': comma, ':': colon,
}

const (
	plain uint8 = iota
	ws
	quote
	backslash
	open
	closing
	comma
	colon
)

// wsEnd returns the index of the first byte at or after i that is not JSON
// whitespace.
func wsEnd(b []byte, i int) int {
	for i < len(b) && class[b[i]] == ws {
		i++
	}
	return i
}

// stringEnd returns the index after the string whose opening quote is at
// b[i], and whether it holds escapes. It looks at eight bytes at a time.
func stringEnd(b []byte, i int) (end int, escaped bool) {
	for i++; i < len(b); {
		if i+8 <= len(b) {
			m := quoteOrBackslash(binary.LittleEndian.Uint64(b[i:]))
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) / 8
		}
		switch b[i] {
		case '"':
			return i + 1, escaped
		case '\\':
			escaped = true
			i += 2
		default:
			i++
		}
	}
	return len(b), escaped
}

// quoteOrBackslash marks (high bit) the bytes of x that are '"' or '\\';
// the lowest mark is exact, which is the one used.
func quoteOrBackslash(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := x ^ (ones * '"')
	s := x ^ (ones * '\\')
	return ((q-ones)&^q | (s-ones)&^s) & highs
}

// valueEnd returns the index after the value starting at b[i].
func valueEnd(b []byte, i int) int {
	switch class[b[i]] {
	case quote:
		end, _ := stringEnd(b, i)
		return end
	case open:
		return compositeEnd(b, i)
	}
	for i < len(b) {
		switch class[b[i]] {
		case ws, comma, closing:
			return i
		}
		i++
	}
	return i
}

// compositeEnd returns the index after the object or array at b[i].
func compositeEnd(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		switch class[b[i]] {
		case quote:
			i, _ = stringEnd(b, i)
			i--
		case open:
			depth++
		case closing:
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return i
}

// objectIter walks the members of an object: next reads a member's name
// and says where its value starts; the caller finds the value's end and
// hands it to done. After the last member, end is the index after the
// object.
type objectIter struct {
	b []byte
	i int
}

func newObjectIter(b []byte, i int) objectIter { return objectIter{b, wsEnd(b, i+1)} }

// next reads the next member's name (raw, without its quotes; escaped says
// whether it holds escapes) and returns where its value starts; ok is
// false after the last member.
func (it *objectIter) next() (name []byte, escaped bool, at int, ok bool) {
	b, i := it.b, it.i
	if i >= len(b) || b[i] != '"' {
		return nil, false, 0, false
	}
	end, esc := stringEnd(b, i)
	return b[i+1 : end-1], esc, wsEnd(b, wsEnd(b, end)+1), true // past the colon
}

// done moves past the value that ended at end, and its comma.
func (it *objectIter) done(end int) {
	b := it.b
	if end = wsEnd(b, end); end < len(b) && b[end] == ',' {
		end = wsEnd(b, end+1)
	}
	it.i = end
}

// end is the index after the object, once next has returned false.
func (it *objectIter) end() int { return it.i + 1 }

// eachMember calls f with the name (raw, without its quotes; escaped says
// whether it holds escapes) and the value's start of each member of the
// object at b[i]; f returns the index after the value. eachMember returns
// the index after the object.
func eachMember(b []byte, i int, f func(name []byte, escaped bool, at int) (end int)) int {
	it := newObjectIter(b, i)
	for {
		name, esc, at, ok := it.next()
		if !ok {
			return it.end()
		}
		it.done(f(name, esc, at))
	}
}

// eachElement calls f with the start of each element of the array at b[i];
// f returns the index after the element. eachElement returns the index
// after the array.
func eachElement(b []byte, i int, f func(at int) (end int)) int {
	for i = wsEnd(b, i+1); i < len(b) && b[i] != ']'; {
		if i = wsEnd(b, f(i)); i < len(b) && b[i] == ',' {
			i = wsEnd(b, i+1)
		}
	}
	return i + 1 // past the ']'
}

// members walks the object at b[i], handing each member's name and value
// to set, and returns the index after the object.
func members(b []byte, i int, set func(name, value []byte)) int {
	return eachMember(b, i, func(name []byte, escaped bool, at int) int {
		end := valueEnd(b, at)
		if escaped {
			name = unescapeName(name)
		}
		set(name, b[at:end])
		return end
	})
}

// elements walks the array at b[i], handing each element to f.
func elements(b []byte, i int, f func(value []byte)) int {
	return eachElement(b, i, func(at int) int {
		end := valueEnd(b, at)
		f(b[at:end])
		return end
	})
}
