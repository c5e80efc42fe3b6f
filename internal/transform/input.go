package transform

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"s1collector/internal/sentinelone"
)

// Reader streams records from JSON in any of the shapes people hand over:
// a JSON array of records, NDJSON (or any concatenation of objects), or
// whole API pages {"data":[…],"pagination":{…}}, mixed freely. It holds one
// record at a time, never the whole input, and decodes each record once:
// NextInto reads it straight into a model, Next returns its bytes.
type Reader struct {
	dec   *jsontext.Decoder
	stack []frame
	index int
	// first is the raw name of the first member of a top-level record
	// whose '{' and first name were read to tell it from a page; open
	// reports such a record (first is nil for {}).
	first []byte
	open  bool
}

type frame int

const (
	inArray    frame = iota // a top-level array of records
	inEnvelope              // the data array of a page, then its other keys
)

// ErrNotObject marks a record that is not a JSON object: it is skipped and
// reading goes on.
var ErrNotObject = errors.New("not a JSON object")

// NewReader reads records from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{dec: sentinelone.NewStreamDecoder(bufio.NewReaderSize(r, 256<<10))}
}

// Index is the 0-based position of the record Next or NextInto returned
// last.
func (r *Reader) Index() int { return r.index - 1 }

// NextInto decodes the next record into m (an *sentinelone.Agent, …). A
// record that is not an object gives an error wrapping ErrNotObject, and
// reading goes on; io.EOF is the end; any other error is a syntax error in
// the input: reading cannot go on past it.
func (r *Reader) NextInto(m jsonv2.UnmarshalerFrom) error {
	if err := r.advance(); err != nil {
		return err
	}
	var err error
	switch {
	case r.open: // rare: see openObject
		r.open = false
		var v jsontext.Value
		if v, err = r.rest(); err == nil {
			err = sentinelone.Unmarshal(v, m)
		}
	case r.dec.PeekKind() != '{':
		v, err := r.dec.ReadValue()
		if err != nil {
			return r.syntax(err)
		}
		r.index++
		return fmt.Errorf("%w: %s", ErrNotObject, preview(v))
	default:
		err = m.UnmarshalJSONFrom(r.dec)
	}
	if err != nil {
		return r.syntax(err)
	}
	r.index++
	return nil
}

// Next returns the next record as it came, or io.EOF. Any other error is a
// syntax error in the input: reading cannot go on past it.
func (r *Reader) Next() (json.RawMessage, error) {
	if err := r.advance(); err != nil {
		return nil, err
	}
	var v jsontext.Value
	var err error
	if r.open {
		r.open = false
		v, err = r.rest()
	} else if v, err = r.dec.ReadValue(); err == nil {
		v = bytes.Clone(v)
	}
	if err != nil {
		return nil, r.syntax(err)
	}
	r.index++
	return json.RawMessage(v), nil
}

// rest rebuilds a top-level record whose '{' and first name were read.
func (r *Reader) rest() (jsontext.Value, error) {
	buf := []byte{'{'}
	if r.first == nil {
		return r.closeObject(buf)
	}
	buf = append(buf, r.first...)
	for {
		buf = append(buf, ':')
		v, err := r.dec.ReadValue()
		if err != nil {
			return nil, err
		}
		buf = append(buf, v...)
		if r.dec.PeekKind() == '}' {
			return r.closeObject(buf)
		}
		name, err := r.dec.ReadValue()
		if err != nil {
			return nil, err
		}
		buf = append(append(buf, ','), name...)
	}
}

func (r *Reader) closeObject(buf []byte) (jsontext.Value, error) {
	if _, err := r.dec.ReadToken(); err != nil {
		return nil, err
	}
	return append(buf, '}'), nil
}

// advance moves to the next record: before its value, or, for a top-level
// object, past its '{' and first name (open).
func (r *Reader) advance() error {
	for {
		if n := len(r.stack); n > 0 {
			switch k := r.dec.PeekKind(); {
			case k == ']' || k == '}':
				if _, err := r.dec.ReadToken(); err != nil {
					return r.syntax(err)
				}
				r.stack = r.stack[:n-1]
			case k == 0:
				_, err := r.dec.ReadToken()
				return r.syntax(err)
			case r.stack[n-1] == inArray:
				return nil
			default:
				if err := r.envelopeMember(); err != nil {
					return err
				}
			}
			continue
		}
		switch r.dec.PeekKind() {
		case '[':
			if _, err := r.dec.ReadToken(); err != nil {
				return r.syntax(err)
			}
			r.stack = append(r.stack, inArray)
		case '{':
			if !r.mayBePage() {
				return nil // a record: read as one value
			}
			if page, err := r.openObject(); page || err != nil {
				if err != nil {
					return err
				}
				continue
			}
			return nil
		case 0:
			_, err := r.dec.ReadToken()
			if errors.Is(err, io.EOF) {
				return io.EOF // between top-level values: the clean end
			}
			return r.syntax(err)
		default:
			return nil // a top-level scalar: a record for the caller to reject
		}
	}
}

// mayBePage looks ahead, without reading, at a top-level object's first
// name: it is a page when that is data or pagination. It answers true also
// when the name is not in the decoder's buffer yet; openObject decides.
func (r *Reader) mayBePage() bool {
	b := r.dec.UnreadBuffer()
	i := 0
	for i < len(b) && b[i] != '{' {
		i++
	}
	for i++; i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t'); i++ {
	}
	rest := b[min(i, len(b)):]
	if len(rest) > 0 && rest[0] == '}' {
		return false
	}
	for _, name := range []string{`"data"`, `"pagination"`} {
		if bytes.HasPrefix(rest, []byte(name)) || bytes.HasPrefix([]byte(name), rest) {
			return true
		}
	}
	end := bytes.IndexByte(rest[min(1, len(rest)):], '"')
	return end < 0 // the first name is cut by the buffer's end
}

// openObject reads a top-level object's '{' and first name: a page when it
// is data or pagination, else a record (open), rebuilt by rest.
func (r *Reader) openObject() (page bool, err error) {
	if _, err := r.dec.ReadToken(); err != nil {
		return false, r.syntax(err)
	}
	r.first = nil
	if r.dec.PeekKind() == '}' {
		r.open = true
		return false, nil
	}
	name, err := r.dec.ReadValue()
	if err != nil {
		return false, r.syntax(err)
	}
	if s := string(name); s == `"data"` || s == `"pagination"` {
		r.stack = append(r.stack, inEnvelope)
		return true, r.envelopeValue(s == `"data"`)
	}
	r.first, r.open = append(r.first[:0], name...), true
	return false, nil
}

// envelopeMember handles one more member of a page.
func (r *Reader) envelopeMember() error {
	name, err := r.dec.ReadValue()
	if err != nil {
		return r.syntax(err)
	}
	return r.envelopeValue(string(name) == `"data"`)
}

// envelopeValue opens a page's data array for streaming; anything else is
// skipped.
func (r *Reader) envelopeValue(data bool) error {
	if !data {
		return r.syntax(r.dec.SkipValue())
	}
	if k := r.dec.PeekKind(); k != '[' && k != 0 {
		return fmt.Errorf("input: a page's data is not a list (near byte %d)", r.dec.InputOffset())
	}
	if _, err := r.dec.ReadToken(); err != nil {
		return r.syntax(err)
	}
	r.stack = append(r.stack, inArray)
	return nil
}

// syntax describes an error met inside a value, where even io.EOF means
// the input was cut short.
func (r *Reader) syntax(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("input: invalid JSON after record %d, near byte %d: %w", r.index, r.dec.InputOffset(), err)
}

func preview(raw []byte) string {
	s := strings.Join(strings.Fields(string(raw)), " ")
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}
