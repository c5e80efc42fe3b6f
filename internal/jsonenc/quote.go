package jsonenc

import "unicode/utf8"

const hex = "0123456789abcdef"

// plain marks the ASCII bytes a string holds as they are, HTML escaping on.
var plain = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return t
}()

// plain8 reports whether the 8 bytes of s are ASCII that needs no escaping,
// testing them at once.
func plain8(s string, html bool) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	has := func(c uint64) uint64 { y := x ^ (ones * c); return (y - ones) &^ y }
	bad := x | (x - ones*0x20) | has('"') | has('\\')
	if html {
		bad |= has('<') | has('>') | has('&')
	}
	return bad&highs == 0
}

// appendString quotes s as encoding/json does: \b \f \n \r \t and \u00XX
// for other control bytes, \" and \\, U+FFFD for invalid UTF-8, U+2028
// and U+2029 escaped, and <, > and & escaped when html is set.
func appendString(dst []byte, s string, html bool) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && plain8(s[i:i+8], html) {
			i += 8
			continue
		}
		b := s[i]
		if b < utf8.RuneSelf {
			if plain[b] || (!html && (b == '<' || b == '>' || b == '&')) {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
