package sentinelone

import (
	"bytes"
	"errors"
	"io"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Records are decoded once, straight from the page's bytes, with the
// streaming decoder of github.com/go-json-experiment/json (the future
// encoding/json/v2): each model reads its members with a switch on the name,
// each lenient field reads its own value. Nothing is scanned twice.

// decodeOptions are the syntax rules for console data: a duplicated key
// keeps its last value and invalid UTF-8 is kept, as encoding/json does;
// neither fails a page.
var decodeOptions = json.JoinOptions(
	jsontext.AllowDuplicateNames(true),
	jsontext.AllowInvalidUTF8(true),
)

// NewDecoder returns a decoder of console data over b, reading it in place.
func NewDecoder(b []byte) *jsontext.Decoder {
	return jsontext.NewDecoder(bytes.NewBuffer(b), decodeOptions)
}

// NewStreamDecoder returns a decoder of console data read from r.
func NewStreamDecoder(r io.Reader) *jsontext.Decoder {
	return jsontext.NewDecoder(r, decodeOptions)
}

// Decodable is a model read straight from a decoder: *Agent, *Activity,
// *Threat.
type Decodable interface {
	json.UnmarshalerFrom
	// UnmarshalMembersFrom decodes an object whose '{' and first member
	// name (unquoted; nil for none) the caller has already read, as a
	// reader must to tell a record from a page.
	UnmarshalMembersFrom(dec *jsontext.Decoder, first []byte) error
}

// continueObject decodes m's members after '{' and its first name.
func continueObject(dec *jsontext.Decoder, m members, first []byte) (odd bool, err error) {
	if first != nil {
		if odd, err = m.decodeMember(dec, first); err != nil {
			return odd, err
		}
	}
	more, err := decodeMembers(dec, m)
	return odd || more, err
}

// Unmarshal decodes one JSON value into v (a model or lenient type) with
// the rules of console data.
func Unmarshal(b []byte, v any) error {
	return json.Unmarshal(b, v, decodeOptions)
}

// errNotObject is what a model's decoder reports for a value that is not a
// JSON object (the value is skipped).
var errNotObject = errors.New("not a JSON object")

// members is a model that decodes itself member by member.
type members interface {
	// decodeMember reads the value of the member name (unknown names are
	// skipped) and reports whether it was odd.
	decodeMember(dec *jsontext.Decoder, name []byte) (odd bool, err error)
}

// decodeObject reads an object into m. null leaves m as it is; any other
// value that is not an object is skipped and gives errNotObject. odd
// reports whether some member was odd.
func decodeObject(dec *jsontext.Decoder, m members) (odd bool, err error) {
	switch dec.PeekKind() {
	case '{':
	case 'n':
		_, err := dec.ReadValue()
		return false, err
	case 0:
		_, err := dec.ReadValue()
		return false, err
	default:
		if err := dec.SkipValue(); err != nil {
			return false, err
		}
		return false, errNotObject
	}
	if _, err := dec.ReadToken(); err != nil {
		return false, err
	}
	return decodeMembers(dec, m)
}

// decodeMembers reads the members of an object whose '{' was read, up to
// and including its '}'.
func decodeMembers(dec *jsontext.Decoder, m members) (odd bool, err error) {
	var buf [64]byte
	for {
		switch dec.PeekKind() {
		case '}':
			_, err := dec.ReadToken()
			return odd, err
		case 0:
			_, err := dec.ReadToken()
			return odd, err
		}
		name, err := readName(dec, buf[:0])
		if err != nil {
			return odd, err
		}
		o, err := m.decodeMember(dec, name)
		if err != nil {
			return odd, err
		}
		odd = odd || o
	}
}

// readName reads an object member's name, unescaped (into buf when it had
// escapes).
func readName(dec *jsontext.Decoder, buf []byte) ([]byte, error) {
	v, err := dec.ReadValue()
	if err != nil {
		return nil, err
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return v[1 : len(v)-1], nil
	}
	name, _ := jsontext.AppendUnquote(buf, v) // invalid UTF-8 becomes U+FFFD
	return name, nil
}

// fromBytes runs a decoder function over one JSON value in b.
func fromBytes(b []byte, f func(*jsontext.Decoder) error) error {
	dec := NewDecoder(b)
	if err := f(dec); err != nil {
		return err
	}
	_, err := dec.ReadToken()
	if err == nil {
		return errors.New("more than one JSON value")
	}
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}
