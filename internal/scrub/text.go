package scrub

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Control escapes what could forge a line or drive a terminal: control
// characters (ESC, CR, LF…, shown as \x1b, \r, \n), Unicode direction
// overrides, and invalid UTF-8.
func Control(s string) string {
	if !strings.ContainsFunc(s, unsafe) && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case unsafe(r) && r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

func unsafe(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f
}

// Cut shortens s to at most n bytes followed by "…". It cuts between words,
// never inside a run of characters a token, key or URL is made of, so a
// secret is shown whole (and so redacted) or not at all; a run longer than
// n is left out entirely.
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	end := n
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	if end < len(s) && !boundary(s[end]) {
		for end > 0 && !boundary(s[end-1]) {
			end--
		}
	}
	return strings.TrimRight(s[:end], " ") + "…"
}

// boundary reports whether b separates words: a secret never contains it.
func boundary(b byte) bool {
	return strings.IndexByte(" \t\"'<>(){}[],;`", b) >= 0
}
