package jsonenc

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestStringsAsEncodingJSON: every byte, alone and inside runs long enough
// for the eight-byte fast path, and the runes encoding/json treats
// specially are quoted exactly as encoding/json quotes them, with and
// without HTML escaping.
func TestStringsAsEncodingJSON(t *testing.T) {
	var inputs []string
	for b := range 256 {
		c := string([]byte{byte(b)})
		inputs = append(inputs, c, "abcdefgh"+c+"ijklmnopq", strings.Repeat(c, 17))
	}
	inputs = append(inputs, "\u2028\u2029", "é\u00e9日本語 <tag> & 'q' \"dq\" \\", "\xed\xa0\x80 surrogate", "\xf4\x90\x80\x80 too big",
		strings.Repeat("plain ascii ", 9), "")
	for _, s := range inputs {
		for _, html := range []bool{true, false} {
			if got, want := quoted(s, html); got != want {
				t.Errorf("%q (html %v): got %s, want %s", s, html, got, want)
			}
		}
	}
}

// quoted is s as Writer.String writes it and as encoding/json's Encoder
// does (without its newline), with or without HTML escaping.
func quoted(s string, html bool) (got, want string) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(html)
	_ = enc.Encode(s)
	w := Writer{HTML: html}
	w.String(s)
	return string(w.B), strings.TrimSuffix(buf.String(), "\n")
}

func TestValuesAsEncodingJSON(t *testing.T) {
	type other struct {
		A string `json:"a"`
	}
	str, yes, n := "p<q", true, int64(300)
	v := map[string]any{"ps": &str, "pb": &yes, "pi": &n, "pn": (*string)(nil), "z": int64(-7), "a": true, "m": []string{"x<y"}, "n": nil, "s": "s&t", "i": 3,
		"o": other{A: "<"}, "l": []string(nil), "k": map[string]any{"b": 1, "a": "2"}}
	for _, html := range []bool{true, false} {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(html)
		_ = enc.Encode(v)
		w := Writer{HTML: html}
		w.Map(v)
		if want := strings.TrimSuffix(buf.String(), "\n"); string(w.B) != want {
			t.Errorf("html %v: got %s, want %s", html, w.B, want)
		}
	}
}
