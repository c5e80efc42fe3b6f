package sentinelone

import (
	"bytes"
	"encoding/json"

	"github.com/go-json-experiment/json/jsontext"
)

// Strings is a leniently decoded list of strings: null gives an empty list, a
// lone string gives a list of one, and non-string elements are dropped (Odd).
type Strings struct {
	Values  []string
	Present bool // the key held a list or a string
	Odd     bool
}

// UnmarshalJSONFrom accepts an array, a string or null.
func (l *Strings) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		*l = Strings{}
		return err
	}
	l.set(v, nil)
	return nil
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (l *Strings) UnmarshalJSON(p []byte) error { return fromBytes(p, l.UnmarshalJSONFrom) }

// set reads the value p (checked JSON), its text kept in ar, and reports
// whether it was odd.
func (l *Strings) set(p []byte, ar *arena) bool {
	*l = Strings{}
	switch p[0] {
	case '[':
	case '"':
		var s String
		s.parse(p, ar)
		l.Values, l.Odd, l.Present = ar.strings([]string{s.Value}), s.Odd, !s.Odd
		return l.Odd
	case 'n':
		return false
	default:
		l.Odd = true
		return true
	}
	l.Present = true
	var room [8]string // the list is gathered here, then kept in ar
	values := room[:0]
	elements(p, 0, func(v []byte) {
		var s String
		s.parse(v, ar)
		if !s.Set {
			l.Odd = l.Odd || s.Odd
			return
		}
		values = append(values, s.Value)
	})
	if len(values) > 0 {
		l.Values = ar.strings(values)
	}
	return l.Odd
}

// Objects is a leniently decoded JSON array of this package's objects
// (NetworkInterface…), read by the single-pass decoder: null or a
// non-array gives an empty list, and elements that are not objects are
// dropped (Odd). A null element is kept as the zero value, as encoding/json
// does.
type Objects[T any, PT objectModel[T]] struct {
	Values []T
	Odd    bool

	spare []T // the memory of a previous decode's Values, reused
}

// objectModel is a model decoded member by member: *T implements it.
type objectModel[T any] interface {
	*T
	memberSetter
}

// UnmarshalJSONFrom accepts an array or null.
func (l *Objects[T, PT]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		*l = Objects[T, PT]{}
		return err
	}
	l.set(v, nil)
	return nil
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (l *Objects[T, PT]) UnmarshalJSON(p []byte) error { return fromBytes(p, l.UnmarshalJSONFrom) }

// set reads the value p (checked JSON), its text kept in ar; odd also
// reports odd values inside its elements.
func (l *Objects[T, PT]) set(p []byte, ar *arena) (odd bool) {
	spare := l.spare
	if spare == nil {
		spare = l.Values
	}
	*l = Objects[T, PT]{spare: spare[:0]}
	switch p[0] {
	case '[':
	case 'n':
		return false
	default:
		l.Odd = true
		return true
	}
	l.Values = l.spare[:0:cap(l.spare)] // present, even empty, as encoding/json leaves it
	if l.Values == nil {
		l.Values = []T{}
	}
	eachElement(p, 0, func(at int) int {
		var zero T
		l.Values = append(l.Values, zero) // decoded in place: nothing of a reused element's is kept
		end, inner, err := setObject(p, at, PT(&l.Values[len(l.Values)-1]), ar)
		if err != nil {
			l.Values = l.Values[:len(l.Values)-1]
			l.Odd = true
			return end
		}
		odd = odd || inner
		return end
	})
	l.spare = l.Values
	return odd || l.Odd
}

// List is a leniently decoded JSON array of any type decoded by
// encoding/json: null or a non-array gives an empty list, and elements that
// do not decode are dropped (Odd). For this package's own objects, which
// the single-pass decoder reads, see Objects.
type List[T any] struct {
	Values []T
	Odd    bool
}

// UnmarshalJSON accepts an array or null.
func (l *List[T]) UnmarshalJSON(p []byte) error {
	*l = List[T]{}
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
