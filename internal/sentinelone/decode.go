package sentinelone

import (
	"bytes"
	"errors"
	"io"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Records are decoded once, with the streaming decoder of
// github.com/go-json-experiment/json (the future encoding/json/v2): the
// decoder reads each record as one value, checking its syntax, and the
// record's model picks its members from those bytes (scan.go) with a switch
// on the name, each lenient field reading its own value. The ids, times and
// mapped fields all come from that one decode.

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

// Unmarshal decodes one JSON value into v (a model or lenient type) with
// the rules of console data. An object decoded into a model is checked by
// validJSON and read straight from b, as UnmarshalJSONFrom would read it
// from the decoder; anything else, and any refusal, goes through the
// decoder.
func Unmarshal(b []byte, v any) error {
	if m, ok := v.(bytesModel); ok {
		if i := wsEnd(b, 0); i < len(b) && b[i] == '{' && validJSON(b) {
			_, err := m.decodeAt(b, i)
			return err
		}
	}
	return json.Unmarshal(b, v, decodeOptions)
}

// bytesModel is a model whose UnmarshalJSONFrom is readModel of its
// decodeAt, which can thus read checked bytes without the decoder.
type bytesModel interface {
	json.UnmarshalerFrom
	decodeAt(b []byte, i int) (int, error)
}

// state is what a model keeps beside its fields between decodes.
type state struct {
	maybeOdd bool  // some member was odd when decoded: OddFields looks
	ar       arena // the strings of the records decoded into the model
}

// decode reads the value at b[i] into m, whose fields the caller has just
// cleared, and returns the index after it.
func (st *state) decode(b []byte, i int, m memberSetter) (int, error) {
	end, odd, err := setObject(b, i, m, &st.ar)
	st.maybeOdd = odd
	return end, err
}

// oddFields is OddFields of the model m, when its decode saw something odd.
func (st *state) oddFields(m any) []string {
	if !st.maybeOdd {
		return nil
	}
	return OddFields(m)
}

// readModel reads one value from dec into a model with decodeAt.
func readModel(dec *jsontext.Decoder, decodeAt func(b []byte, i int) (int, error)) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	_, err = decodeAt(v, 0)
	return err
}

// errNotObject is what a model's decoder reports for a value that is not a
// JSON object (the value is skipped).
var errNotObject = errors.New("not a JSON object")

// memberSetter is a model that takes its members from an object's bytes.
type memberSetter interface {
	// setMember reads the value of the member name (unknown names are
	// ignored), its text kept in ar, and reports whether it was odd.
	setMember(name, value []byte, ar *arena) (odd bool)
}

// setObject reads the value at b[i] (checked JSON) into m: an object's
// members; null leaves m as it is; any other value gives errNotObject. It
// returns the index after the value, and whether some member was odd.
func setObject(b []byte, i int, m memberSetter, ar *arena) (end int, odd bool, err error) {
	switch b[i] {
	case '{':
	case 'n':
		return i + len("null"), false, nil
	default:
		return valueEnd(b, i), false, errNotObject
	}
	it := newObjectIter(b, i)
	for {
		name, escaped, at, ok := it.next()
		if !ok {
			return it.end(), odd, nil
		}
		end := valueEnd(b, at)
		if escaped {
			name = unescapeName(name)
		}
		if m.setMember(name, b[at:end], ar) {
			odd = true
		}
		it.done(end)
	}
}

// unescapeName unquotes a member name that holds escapes; invalid UTF-8
// becomes U+FFFD.
func unescapeName(raw []byte) []byte {
	name, _ := jsontext.AppendUnquote(nil, append(append([]byte{'"'}, raw...), '"'))
	return name
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
