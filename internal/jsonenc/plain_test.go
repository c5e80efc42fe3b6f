package jsonenc

import (
	"strings"
	"testing"
)

// TestSpecialAtEveryPosition: a byte that needs escaping (or starts a
// rune) is found wherever it stands in a run of plain bytes, first, last
// or inside an eight-byte word, after words of plain bytes, with and
// without HTML escaping.
func TestSpecialAtEveryPosition(t *testing.T) {
	specials := []string{"\x00", "\x1f", "\"", "\\", "<", ">", "&", "\x7f", "é", "\u2028", "\xff", " ", "~"}
	for _, c := range specials {
		for n := range 26 {
			for at := 0; at <= n; at++ {
				s := strings.Repeat("a", at) + c + strings.Repeat("b", n-at)
				for _, html := range []bool{true, false} {
					if got, want := quoted(s, html); got != want {
						t.Fatalf("%q (html %v): got %s, want %s", s, html, got, want)
					}
				}
			}
		}
	}
}

// FuzzStringAsEncodingJSON: any string is quoted exactly as encoding/json
// quotes it, with and without HTML escaping.
func FuzzStringAsEncodingJSON(f *testing.F) {
	for _, s := range []string{"", "plain ascii words", "a\"b\\c<d>e&f\x00\x1f\x7f", "é日本\u2028\u2029\xff\xfe", "12345678\"12345678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, html := range []bool{true, false} {
			if got, want := quoted(s, html); got != want {
				t.Fatalf("%q (html %v): got %s, want %s", s, html, got, want)
			}
		}
	})
}
