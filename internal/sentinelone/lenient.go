package sentinelone

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// Real consoles are sloppy with types: booleans arrive as "True", numbers as
// strings, lists and objects as null. The types below decode all of these and
// never fail a record: a value that cannot be read leaves the field unset and
// marks it Odd, so callers can count it.
//
// Each type reads its value straight from the page's decoder
// (UnmarshalJSONFrom, the path production takes) and also implements
// encoding/json's UnmarshalJSON with the same rules.

// Bool is a leniently decoded JSON boolean.
type Bool struct {
	Value bool
	Set   bool // a usable value was present (not null, not odd)
	Odd   bool // a value was present but could not be read as a boolean
}

// UnmarshalJSONFrom accepts true/false, "true"/"False"/"1"/"0"/"yes"/"no",
// 1/0 and null.
func (b *Bool) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	_, err := b.read(dec)
	return err
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (b *Bool) UnmarshalJSON(p []byte) error { b.parse(p); return nil }

func (b *Bool) read(dec *jsontext.Decoder) (odd bool, err error) {
	v, err := dec.ReadValue()
	if err != nil {
		*b = Bool{}
		return false, err
	}
	return b.set(v, nil), nil
}

// set reads the value p and reports whether it was odd (it keeps no
// text: the arena, there for a uniform signature, is unused).
func (b *Bool) set(p []byte, _ *arena) bool {
	b.parse(p)
	return b.Odd
}

func (b *Bool) parse(p []byte) {
	*b = Bool{}
	switch string(p) { // the common cases, without folding
	case "true":
		b.Value, b.Set = true, true
		return
	case "false":
		b.Set = true
		return
	case "null":
		return
	}
	s := unquote(p)
	switch {
	case len(s) == 0:
		b.Odd = string(bytes.TrimSpace(p)) == `""`
	case bytes.EqualFold(s, []byte("null")):
	case bytes.EqualFold(s, []byte("true")), string(s) == "1", bytes.EqualFold(s, []byte("yes")):
		b.Value, b.Set = true, true
	case bytes.EqualFold(s, []byte("false")), string(s) == "0", bytes.EqualFold(s, []byte("no")):
		b.Set = true
	default:
		b.Odd = true
	}
}

// Ptr returns the value, or nil when unset.
func (b Bool) Ptr() *bool {
	if !b.Set {
		return nil
	}
	v := b.Value
	return &v
}

// Int is a leniently decoded JSON integer.
type Int struct {
	Value int64
	Set   bool
	Odd   bool
}

// UnmarshalJSONFrom accepts numbers (integral floats too), numeric strings
// and null.
func (n *Int) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	_, err := n.read(dec)
	return err
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (n *Int) UnmarshalJSON(p []byte) error { n.parse(p); return nil }

func (n *Int) read(dec *jsontext.Decoder) (odd bool, err error) {
	v, err := dec.ReadValue()
	if err != nil {
		*n = Int{}
		return false, err
	}
	return n.set(v, nil), nil
}

// set reads the value p and reports whether it was odd (it keeps no
// text: the arena, there for a uniform signature, is unused).
func (n *Int) set(p []byte, _ *arena) bool {
	n.parse(p)
	return n.Odd
}

func (n *Int) parse(p []byte) {
	*n = Int{}
	if v, ok := plainInt(p); ok {
		n.Value, n.Set = v, true
		return
	}
	p = bytes.TrimSpace(p)
	s := strings.TrimSpace(string(unquote(p)))
	if s == "null" || (s == "" && (len(p) == 0 || p[0] != '"')) {
		return
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		n.Value, n.Set = v, true
		return
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		n.Value, n.Set = int64(f), true
		return
	}
	n.Odd = true
}

// plainInt reads an unquoted decimal integer of at most 18 digits, the
// common case, without allocating.
func plainInt(p []byte) (int64, bool) {
	neg := len(p) > 0 && p[0] == '-'
	if neg {
		p = p[1:]
	}
	if len(p) == 0 || len(p) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range p {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// Ptr returns the value, or nil when unset.
func (n Int) Ptr() *int64 {
	if !n.Set {
		return nil
	}
	v := n.Value
	return &v
}

// String is a leniently decoded JSON string: numbers and booleans are kept as
// their text, null leaves it unset.
type String struct {
	Value string
	Set   bool
	Odd   bool
}

// UnmarshalJSONFrom accepts strings, numbers, booleans and null.
func (s *String) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	_, err := s.read(dec)
	return err
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (s *String) UnmarshalJSON(p []byte) error { s.parse(p, nil); return nil }

func (s *String) read(dec *jsontext.Decoder) (odd bool, err error) {
	v, err := dec.ReadValue()
	if err != nil {
		*s = String{}
		return false, err
	}
	return s.set(v, nil), nil
}

// set reads the value p, its text kept in ar, and reports whether it was
// odd.
func (s *String) set(p []byte, ar *arena) bool {
	s.parse(p, ar)
	return s.Odd
}

func (s *String) parse(p []byte, ar *arena) {
	*s = String{}
	if len(p) > 0 && (p[0] <= ' ' || p[len(p)-1] <= ' ') {
		p = bytes.TrimSpace(p)
	}
	switch {
	case len(p) == 0 || string(p) == "null":
	case p[0] == '"' && len(p) >= 2 && bytes.IndexByte(p, '\\') < 0:
		// No escapes: the decoder has already validated the document.
		s.Value, s.Set = ar.str(p[1:len(p)-1]), true
	case p[0] == '"':
		v, err := jsontext.AppendUnquote(nil, p)
		if err != nil && utf8.Valid(p) {
			s.Odd = true // not a JSON string at all
			return
		}
		// Invalid UTF-8 is replaced by U+FFFD, as encoding/json does.
		s.Value, s.Set = ar.str(v), true
	case p[0] == '{' || p[0] == '[':
		s.Odd = true
	default:
		s.Value, s.Set = ar.str(p), true
	}
}

// Ptr returns the value, or nil when unset.
func (s String) Ptr() *string {
	if !s.Set {
		return nil
	}
	v := s.Value
	return &v
}

// NonEmpty returns the value, or nil when unset or empty.
func (s String) NonEmpty() *string {
	if !s.Set || s.Value == "" {
		return nil
	}
	return s.Ptr()
}

func unquote(p []byte) []byte {
	p = bytes.TrimSpace(p)
	if len(p) >= 2 && p[0] == '"' && p[len(p)-1] == '"' {
		return p[1 : len(p)-1]
	}
	return p
}
