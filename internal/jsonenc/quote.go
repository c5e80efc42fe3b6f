package jsonenc

import "unicode/utf8"

const hex = "0123456789abcdef"

// plainHTML and plainJSON mark the bytes a string holds as they are, with
// and without HTML escaping: printable ASCII but '"' and '\\' (and <, >, &
// for HTML). Bytes from 0x80 up are runes to look at.
var plainHTML, plainJSON = plainTables()

func plainTables() (html, js [256]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		js[b] = b != '"' && b != '\\'
		html[b] = js[b] && b != '<' && b != '>' && b != '&'
	}
	return html, js
}

// appendString quotes s as encoding/json does: \b \f \n \r \t and \u00XX
// for other control bytes, \" and \\, U+FFFD for invalid UTF-8, U+2028
// and U+2029 escaped, and <, > and & escaped when html is set.
func appendString(dst []byte, s string, html bool) []byte {
	plain := &plainJSON
	if html {
		plain = &plainHTML
	}
	dst = append(dst, '"')
	start := 0
	for i := 0; ; {
		i = plainEnd(s, i, html, plain)
		if i == len(s) {
			break
		}
		b := s[i]
		if b < utf8.RuneSelf {
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
