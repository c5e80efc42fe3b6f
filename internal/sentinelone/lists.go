package sentinelone

import (
	"errors"

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
	_, err := l.read(dec)
	return err
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (l *Strings) UnmarshalJSON(p []byte) error { return fromBytes(p, l.UnmarshalJSONFrom) }

func (l *Strings) read(dec *jsontext.Decoder) (odd bool, err error) {
	*l = Strings{}
	switch dec.PeekKind() {
	case '[':
	case '"':
		var s String
		if _, err := s.read(dec); err != nil {
			return false, err
		}
		l.Values, l.Odd, l.Present = []string{s.Value}, s.Odd, !s.Odd
		return l.Odd, nil
	case 'n':
		_, err := dec.ReadValue()
		return false, err
	default:
		l.Odd = true
		return true, dec.SkipValue()
	}
	l.Present = true
	err = readArray(dec, func() error {
		var s String
		if _, err := s.read(dec); err != nil {
			return err
		}
		if !s.Set {
			l.Odd = l.Odd || s.Odd
			return nil
		}
		l.Values = append(l.Values, s.Value)
		return nil
	})
	return l.Odd, err
}

// List is a leniently decoded JSON array of objects: null or a non-array gives
// an empty list, and elements that are not objects are dropped (Odd). A null
// element is kept as the zero value, as encoding/json does.
type List[T any, PT object[T]] struct {
	Values []T
	Odd    bool
}

// object is a model decoded member by member: *T implements it.
type object[T any] interface {
	*T
	members
}

// UnmarshalJSONFrom accepts an array or null.
func (l *List[T, PT]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	_, err := l.read(dec)
	return err
}

// UnmarshalJSON is UnmarshalJSONFrom for encoding/json.
func (l *List[T, PT]) UnmarshalJSON(p []byte) error { return fromBytes(p, l.UnmarshalJSONFrom) }

// read decodes the list; odd also reports odd values inside its elements.
func (l *List[T, PT]) read(dec *jsontext.Decoder) (odd bool, err error) {
	*l = List[T, PT]{}
	switch dec.PeekKind() {
	case '[':
	case 'n':
		_, err := dec.ReadValue()
		return false, err
	default:
		l.Odd = true
		return true, dec.SkipValue()
	}
	l.Values = []T{} // present and empty, as encoding/json leaves it
	odd = false
	err = readArray(dec, func() error {
		var v T
		inner, err := decodeObject(dec, PT(&v))
		switch {
		case errors.Is(err, errNotObject):
			l.Odd = true
			return nil
		case err != nil:
			return err
		}
		odd = odd || inner
		l.Values = append(l.Values, v)
		return nil
	})
	return odd || l.Odd, err
}

// readArray reads an array whose next token is '[', calling elem before
// each element.
func readArray(dec *jsontext.Decoder, elem func() error) error {
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for {
		switch dec.PeekKind() {
		case ']':
			_, err := dec.ReadToken()
			return err
		case 0: // an error: ReadToken reports it
			_, err := dec.ReadToken()
			return err
		}
		if err := elem(); err != nil {
			return err
		}
	}
}
