package sentinelone_test

// The reference decoder: the models as encoding/json decoded them before
// the single-pass decoder replaced it, kept as the oracle the differential
// tests compare with (TestDecoderMatchesReference, FuzzDecodePage). Do not
// "fix" it: it is the tolerance the new decoder promises to keep.

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// Real consoles are sloppy with types: booleans arrive as "True", numbers as
// strings, lists and objects as null. The types below decode all of these and
// never fail a record: a value that cannot be read leaves the field unset and
// marks it Odd, so callers can count it.

// refBool is a leniently decoded JSON boolean.
type refBool struct {
	Value bool
	Set   bool // a usable value was present (not null, not odd)
	Odd   bool // a value was present but could not be read as a boolean
}

// UnmarshalJSON accepts true/false, "true"/"False"/"1"/"0"/"yes"/"no", 1/0 and null.
func (b *refBool) UnmarshalJSON(p []byte) error {
	*b = refBool{}
	s := strings.ToLower(string(refUnquote(p)))
	switch s {
	case "null", "":
		if string(p) == `""` {
			b.Odd = true
		}
	case "true", "1", "yes":
		b.Value, b.Set = true, true
	case "false", "0", "no":
		b.Set = true
	default:
		b.Odd = true
	}
	return nil
}

// refInt is a leniently decoded JSON integer.
type refInt struct {
	Value int64
	Set   bool
	Odd   bool
}

// UnmarshalJSON accepts numbers (integral floats too), numeric strings and null.
func (n *refInt) UnmarshalJSON(p []byte) error {
	*n = refInt{}
	s := strings.TrimSpace(string(refUnquote(p)))
	if s == "null" || (s == "" && p[0] != '"') {
		return nil
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		n.Value, n.Set = v, true
		return nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		n.Value, n.Set = int64(f), true
		return nil
	}
	n.Odd = true
	return nil
}

// refString is a leniently decoded JSON string: numbers and booleans are kept as
// their text, null leaves it unset.
type refString struct {
	Value string
	Set   bool
	Odd   bool
}

// UnmarshalJSON accepts strings, numbers, booleans and null.
func (s *refString) UnmarshalJSON(p []byte) error {
	*s = refString{}
	p = bytes.TrimSpace(p)
	switch {
	case len(p) == 0 || string(p) == "null":
	case p[0] == '"' && len(p) >= 2 && bytes.IndexByte(p, '\\') < 0:
		// No escapes: the decoder has already validated the document.
		s.Value, s.Set = string(p[1:len(p)-1]), true
	case p[0] == '"':
		if err := json.Unmarshal(p, &s.Value); err != nil {
			s.Odd = true
			return nil
		}
		s.Set = true
	case p[0] == '{' || p[0] == '[':
		s.Odd = true
	default:
		s.Value, s.Set = string(p), true
	}
	return nil
}

// refStrings is a leniently decoded list of strings: null gives an empty list, a
// lone string gives a list of one, and non-string elements are dropped (Odd).
type refStrings struct {
	Values  []string
	Present bool // the key held a list or a string
	Odd     bool
}

// UnmarshalJSON accepts an array, a string or null.
func (l *refStrings) UnmarshalJSON(p []byte) error {
	*l = refStrings{}
	p = bytes.TrimSpace(p)
	if len(p) == 0 || string(p) == "null" {
		return nil
	}
	if p[0] == '"' {
		var s refString
		_ = s.UnmarshalJSON(p)
		l.Values, l.Odd, l.Present = []string{s.Value}, s.Odd, !s.Odd
		return nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(p, &raw); err != nil {
		l.Odd = true
		return nil
	}
	l.Present = true
	for _, r := range raw {
		var s refString
		_ = s.UnmarshalJSON(r)
		if !s.Set {
			l.Odd = l.Odd || s.Odd
			continue
		}
		l.Values = append(l.Values, s.Value)
	}
	return nil
}

// refList is a leniently decoded JSON array of objects: null or a non-array gives
// an empty list, and elements that do not decode are dropped (Odd).
type refList[T any] struct {
	Values []T
	Odd    bool
}

// UnmarshalJSON accepts an array or null.
func (l *refList[T]) UnmarshalJSON(p []byte) error {
	*l = refList[T]{}
	p = bytes.TrimSpace(p)
	if len(p) == 0 || string(p) == "null" {
		return nil
	}
	if p[0] != '[' {
		l.Odd = true
		return nil
	}
	// Fast path: every element decodes (lenient fields never fail).
	if err := json.Unmarshal(p, &l.Values); err == nil {
		return nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(p, &raw); err != nil {
		l.Odd = true
		return nil
	}
	l.Values = make([]T, 0, len(raw))
	for _, r := range raw {
		var v T
		if err := json.Unmarshal(r, &v); err != nil {
			l.Odd = true
			continue
		}
		l.Values = append(l.Values, v)
	}
	return nil
}

func refUnquote(p []byte) []byte {
	p = bytes.TrimSpace(p)
	if len(p) >= 2 && p[0] == '"' && p[len(p)-1] == '"' {
		return p[1 : len(p)-1]
	}
	return p
}
