package scrub

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzExcerpt: whatever a peer answers around a secret it echoes, the
// excerpt is one line of valid UTF-8 with no control character, no longer
// than asked (plus "…"), and shows no part of the secret that the peer's
// own text did not already hold.
func FuzzExcerpt(f *testing.F) {
	f.Add("HTTP 401 ", " refused", 40)
	f.Add("\x1b[31mred\r\nlevel=ERROR msg=forged \xff", "", 12)
	f.Add(strings.Repeat("a ", 150), "tail", 300)
	r := New(token, "Bearer "+hookKey)
	f.Fuzz(func(t *testing.T, before, after string, n int) {
		n = max(n%400, 0)
		for _, secret := range []string{token, hookKey} {
			got := r.Excerpt(before+secret+after, n)
			if !utf8.ValidString(got) || strings.ContainsFunc(got, unsafe) {
				t.Fatalf("unsafe excerpt %q", got)
			}
			if len(strings.TrimSuffix(got, "…")) > n {
				t.Fatalf("excerpt of %d bytes for %d", len(got), n)
			}
			part := secret[:8]
			if strings.Count(got, part) > strings.Count(before+after, part) {
				t.Fatalf("excerpt %q shows %q", got, part)
			}
		}
	})
}
