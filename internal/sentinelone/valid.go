package sentinelone

import (
	"encoding/binary"
	"math/bits"
)

// validJSON is the syntax check of console data, faster than the
// decoder's: it reports whether b is exactly one JSON value, with
// whitespace around it, as the decoder with decodeOptions reads it
// (duplicate names and invalid UTF-8 allowed, at most maxDepth objects and
// arrays deep). It only answers yes or no: a caller told no runs the
// decoder, whose error says what is wrong and where. FuzzValidJSON holds
// it to the decoder, both ways.
func validJSON(b []byte) bool {
	var objects [maxDepth/64 + 1]uint64 // bit d: the container at depth d is an object
	depth := 0
	i := wsEnd(b, 0)
value:
	if i >= len(b) {
		return false
	}
	switch b[i] {
	case '{', '[':
		if depth++; depth > maxDepth {
			return false
		}
		closing, bit := b[i]+2, uint64(1)<<(depth%64) // '}' or ']'
		if objects[depth/64] &^= bit; closing == '}' {
			objects[depth/64] |= bit
		}
		if i = wsEnd(b, i+1); i < len(b) && b[i] == closing {
			depth--
			i++
			goto after
		}
		if closing == '}' {
			goto name
		}
		goto value
	case '"':
		i = validString(b, i)
	case 't':
		i = literal(b, i, "true")
	case 'f':
		i = literal(b, i, "false")
	case 'n':
		i = literal(b, i, "null")
	default:
		i = validNumber(b, i)
	}
	if i < 0 {
		return false
	}
after:
	if i = wsEnd(b, i); depth == 0 {
		return i == len(b)
	}
	if i >= len(b) {
		return false
	}
	switch inObject := objects[depth/64]&(1<<(depth%64)) != 0; b[i] {
	case ',':
		if i = wsEnd(b, i+1); inObject {
			goto name
		}
		goto value
	case '}', ']':
		if inObject != (b[i] == '}') {
			return false
		}
		depth--
		i++
		goto after
	}
	return false
name:
	if i >= len(b) || b[i] != '"' {
		return false
	}
	if i = validString(b, i); i < 0 {
		return false
	}
	if i = wsEnd(b, i); i >= len(b) || b[i] != ':' {
		return false
	}
	i = wsEnd(b, i+1)
	goto value
}

// maxDepth is how deeply the decoder lets objects and arrays nest.
const maxDepth = 10000

// literal returns the index after the literal lit at b[i], or -1.
func literal(b []byte, i int, lit string) int {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// validString returns the index after the string whose opening quote is
// at b[i], or -1 when it is not a JSON string: it ends early, holds a
// control byte, or an escape JSON does not know. It looks at eight bytes
// at a time.
func validString(b []byte, i int) int {
	for i++; i < len(b); {
		if i+8 <= len(b) {
			m := stringStop(binary.LittleEndian.Uint64(b[i:]))
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) / 8
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1
		case c == '\\':
			if i = validEscape(b, i); i < 0 {
				return -1
			}
		case c < ' ':
			return -1
		default:
			i++
		}
	}
	return -1
}

// stringStop marks (high bit) the bytes of x that end a run of plain
// string bytes: '"', '\\' and control bytes. Only the lowest mark is
// exact, which is the one used.
func stringStop(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	return quoteOrBackslash(x) | (x-ones*' ')&^x&highs
}

// validEscape returns the index after the escape at b[i], or -1.
func validEscape(b []byte, i int) int {
	if i+1 >= len(b) {
		return -1
	}
	switch b[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return i + 2
	case 'u':
		if len(b)-i < 6 {
			return -1
		}
		for _, c := range b[i+2 : i+6] {
			if !isHexDigit(c) {
				return -1
			}
		}
		return i + 6
	}
	return -1
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// validNumber returns the index after the number at b[i], or -1:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(b []byte, i int) int {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digitsEnd(b, i+1)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		if j := digitsEnd(b, i+1); j > i+1 {
			i = j
		} else {
			return -1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		if i++; i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if j := digitsEnd(b, i); j > i {
			i = j
		} else {
			return -1
		}
	}
	return i
}

// digitsEnd returns the index of the first byte at or after i that is not
// a decimal digit.
func digitsEnd(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}
