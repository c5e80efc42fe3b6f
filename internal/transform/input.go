package transform

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Reader streams records from JSON in any of the shapes people hand over:
// a JSON array of records, NDJSON (or any concatenation of objects), or
// whole API pages {"data":[…],"pagination":{…}}, mixed freely. It holds one
// record at a time, never the whole input.
type Reader struct {
	dec   *json.Decoder
	stack []frame
	index int
}

type frame int

const (
	inArray    frame = iota // a top-level array of records
	inEnvelope              // the data array of a page, then its other keys
)

// NewReader reads records from r.
func NewReader(r io.Reader) *Reader {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<16))
	dec.UseNumber()
	return &Reader{dec: dec}
}

// Index is the 0-based position of the record Next returned last.
func (r *Reader) Index() int { return r.index - 1 }

// Next returns the next record as raw JSON, or io.EOF. Any other error is a
// syntax error in the input: reading cannot go on past it.
func (r *Reader) Next() (json.RawMessage, error) {
	for {
		if n := len(r.stack); n > 0 {
			top := r.stack[n-1]
			switch {
			case r.dec.More() && top == inArray:
				return r.record()
			case r.dec.More():
				key, err := r.key()
				if err == nil {
					err = r.envelopeKey(key)
				}
				if err != nil {
					return nil, err
				}
			default:
				if _, err := r.dec.Token(); err != nil { // ']' or the page's '}'
					return nil, r.syntax(err)
				}
				r.stack = r.stack[:n-1]
			}
			continue
		}
		tok, err := r.dec.Token()
		if errors.Is(err, io.EOF) {
			return nil, io.EOF // between top-level values: the clean end
		}
		if err != nil {
			return nil, r.syntax(err)
		}
		switch tok {
		case json.Delim('['):
			r.stack = append(r.stack, inArray)
		case json.Delim('{'):
			raw, err := r.object()
			if raw != nil || err != nil {
				return raw, err
			}
		default:
			r.index++
			return json.RawMessage(fmt.Sprint(tok)), nil
		}
	}
}

func (r *Reader) record() (json.RawMessage, error) {
	var raw json.RawMessage
	if err := r.dec.Decode(&raw); err != nil {
		return nil, r.syntax(err)
	}
	r.index++
	return raw, nil
}

// object reads a top-level object whose '{' was consumed: a record,
// rebuilt key by key, or a page, in which case it returns no record and the
// page's data array is streamed by Next.
func (r *Reader) object() (json.RawMessage, error) {
	if !r.dec.More() {
		r.index++
		_, err := r.dec.Token()
		return json.RawMessage("{}"), r.syntax(err)
	}
	key, err := r.key()
	if err != nil {
		return nil, err
	}
	if key == "data" || key == "pagination" {
		r.stack = append(r.stack, inEnvelope)
		return nil, r.envelopeKey(key)
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	for first := true; ; first = false {
		if !first {
			if !r.dec.More() {
				break
			}
			if key, err = r.key(); err != nil {
				return nil, err
			}
			buf.WriteByte(',')
		}
		var v json.RawMessage
		if err := r.dec.Decode(&v); err != nil {
			return nil, r.syntax(err)
		}
		k, _ := json.Marshal(key)
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	if _, err := r.dec.Token(); err != nil {
		return nil, r.syntax(err)
	}
	buf.WriteByte('}')
	r.index++
	return buf.Bytes(), nil
}

// envelopeKey handles one key of a page: data opens its array for
// streaming; anything else is skipped.
func (r *Reader) envelopeKey(key string) error {
	if key != "data" {
		var skip json.RawMessage
		return r.syntax(r.dec.Decode(&skip))
	}
	tok, err := r.dec.Token()
	if err != nil {
		return r.syntax(err)
	}
	if tok != json.Delim('[') {
		return fmt.Errorf("input: a page's data is not a list (near byte %d)", r.dec.InputOffset())
	}
	r.stack = append(r.stack, inArray)
	return nil
}

func (r *Reader) key() (string, error) {
	tok, err := r.dec.Token()
	if err != nil {
		return "", r.syntax(err)
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("input: expected an object key near byte %d", r.dec.InputOffset())
	}
	return s, nil
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
