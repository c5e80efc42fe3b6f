package sentinelone

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// decoderAccepts is the syntax check validJSON replaces: the decoder of
// console data reads b as exactly one value.
func decoderAccepts(b []byte) bool {
	dec := NewDecoder(b)
	if _, err := dec.ReadValue(); err != nil {
		return false
	}
	_, err := dec.ReadToken()
	return errors.Is(err, io.EOF)
}

// validCases are the edges of JSON's grammar, valid and not.
var validCases = []string{
	``, ` `, `{}`, ` {} `, "\t[ ]\r\n", `[`, `]`, `{`, `}`, `[}`, `{]`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[,1]`,
	`{,}`, `{"a":1 "b":2}`, `{"a" : 1 , "b" : [ 2 , { } ] }`, `{1:2}`, `{"a":1}{}`, `{} x`, `[][]`, `"x"`, `"x" "y"`,
	`true`, `tru`, `truex`, `false`, `fals`, `null`, `nul`, `nulll`, `[true,false,null]`, `[True]`, `NaN`, `Infinity`,
	`0`, `-0`, `01`, `-01`, `1.`, `1.5`, `.5`, `-`, `--1`, `+1`, `1e`, `1e+`, `1e5`, `1E-5`, `1.5e+10`, `0x10`, `1_000`,
	`123456789012345678901234567890`, `-0.0e0`, `[1,2,3]`, `[-]`, `[1.e5]`, `[0.5e]`,
	`"a\"b"`, `"a\\"`, `"\/\b\f\n\r\t"`, `"\u00e9"`, `"\uD800"`, `"\uDC00\uD800"`, `"\u12"`, `"\u12G4"`, `"\x"`, `"\'"`,
	`"\`, `"abc`, `"abcdefghijklmnop`, `"abcdefgh\u00e9ijklmnop"`, "\"tab\there\"", "\"nl\nhere\"", "\"\x00\"", "\"\x1f\"",
	"\"\x7f\"", "\"bad \xff utf-8\"", "\"\xc3\xa9\"", "\"\xed\xa0\x80\"", "{\"\xff\":1}", "\xef\xbb\xbf{}", "{}\x00",
	`{"a":1,"a":2}`, `{"data":[{"id":"1","networkInterfaces":[{"inet":["10.0.0.1"]}]}],"pagination":{"nextCursor":null}}`,
	strings.Repeat(`[`, maxDepth) + strings.Repeat(`]`, maxDepth),
	strings.Repeat(`[`, maxDepth+1) + strings.Repeat(`]`, maxDepth+1),
	strings.Repeat(`{"":`, maxDepth) + `1` + strings.Repeat(`}`, maxDepth),
	strings.Repeat(`{"":`, maxDepth+1) + `1` + strings.Repeat(`}`, maxDepth+1),
	strings.Repeat(`[`, maxDepth-1) + `{"a":[]}` + strings.Repeat(`]`, maxDepth-1),
	strings.Repeat(`[`, 70) + strings.Repeat(`]`, 69) + `}`,
}

// TestValidJSONMatchesDecoder: validJSON accepts exactly what the decoder
// accepts, on the grammar's edges, every fixture and every prefix of one.
func TestValidJSONMatchesDecoder(t *testing.T) {
	inputs := validCases
	paths, _ := filepath.Glob("testdata/fixtures/*.json")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, string(b))
		for n := range len(b) {
			inputs = append(inputs, string(b[:n]))
		}
	}
	for _, in := range inputs {
		if got, want := validJSON([]byte(in)), decoderAccepts([]byte(in)); got != want {
			t.Errorf("validJSON(%.80q) = %v, the decoder says %v", in, got, want)
		}
	}
}

// FuzzValidJSON holds validJSON to the decoder, and to encoding/json,
// whose reading console data has always had.
func FuzzValidJSON(f *testing.F) {
	for _, c := range validCases {
		if len(c) < 1000 {
			f.Add([]byte(c))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := validJSON(b)
		if want := decoderAccepts(b); got != want {
			t.Fatalf("validJSON(%q) = %v, the decoder says %v", b, got, want)
		}
		if want := json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, encoding/json says %v", b, got, want)
		}
	})
}
