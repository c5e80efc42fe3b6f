package transform

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"s1collector/internal/sentinelone"
)

// Reader streams records from JSON in any of the shapes people hand over:
// a JSON array of records, NDJSON (or any concatenation of objects), whole
// API pages {"data":[…],"pagination":{…}} and, for alerts, whole GraphQL
// answers {"data":{"alerts":{"edges":[{"node":…}]}}}, mixed freely. It
// holds one record at a time, never the whole input (a 100 MB answer is
// streamed node by node), and decodes each record once: NextInto reads it
// straight into a model, Next returns its bytes.
//
// A top-level record that is not valid JSON (a bad NDJSON line) is
// skipped to the next line and reported (ErrBadRecord); reading goes on.
// An answer's errors are reported (ErrAnswer); reading goes on.
type Reader struct {
	dec   *jsontext.Decoder
	tape  *tape
	base  int64 // the offset in the input of the decoder's first byte
	stack []frame
	index int
	// first is the raw name of the first member of a top-level record
	// whose '{' and first name were read to tell it from a page; open
	// reports such a record (first is nil for {}).
	first []byte
	open  bool
	// pending is an answer's errors, reported by the next call.
	pending error
	// GraphQL lets a page's data be a GraphQL answer of the Unified Alerts
	// API, whose edges' nodes are the records; and a record that is an
	// edge ({"cursor":…,"node":{…}}) is read as its node.
	GraphQL bool
}

type frame int

const (
	inArray    frame = iota // a top-level array of records, or a page's data
	inEnvelope              // a page or answer: its other members
	inAnswer                // an answer's data object
	inAlerts                // an answer's data.alerts object
	inEdges                 // data.alerts.edges: the records are their nodes
)

// ErrNotObject marks a record that is not a JSON object: it is skipped and
// reading goes on.
var ErrNotObject = errors.New("not a JSON object")

// ErrBadRecord marks a top-level record that is not valid JSON: it was
// skipped to the next line, and reading goes on.
var ErrBadRecord = errors.New("not valid JSON")

// ErrAnswer marks the errors a saved answer reports (GraphQL errors, a
// REST error body): reading goes on with its data, if any.
var ErrAnswer = errors.New("the saved answer reports errors")

// NewReader reads records from r.
func NewReader(r io.Reader) *Reader {
	in := bufio.NewReaderSize(r, 256<<10)
	t := &tape{src: in, in: in}
	return &Reader{dec: sentinelone.NewStreamDecoder(t), tape: t}
}

// OnWait sets f to be called before the reader reads from its input with
// nothing left in its buffer — a read that may wait (a slow pipe, a
// producer that pauses) — so that a caller holding records back can hand
// them over first. f is called on the reading goroutine.
func (r *Reader) OnWait(f func()) { r.tape.waiting = f }

// Index is the 0-based position of the record Next or NextInto returned
// last, or skipped last.
func (r *Reader) Index() int { return r.index - 1 }

// NextInto decodes the next record into m (an *sentinelone.Agent, …). A
// record that is not an object gives an error wrapping ErrNotObject, a
// bad line one wrapping ErrBadRecord, an answer's errors one wrapping
// ErrAnswer, and reading goes on; io.EOF is the end; any other error is a
// syntax error in the input: reading cannot go on past it.
func (r *Reader) NextInto(m jsonv2.UnmarshalerFrom) error {
	if err := r.advance(); err != nil {
		return err
	}
	var err error
	switch {
	case r.open || r.top() == inEdges: // rare: see openObject; an edge
		var v jsontext.Value
		if v, err = r.record(); err == nil {
			if !isObject(v) {
				r.done()
				return fmt.Errorf("%w: %s", ErrNotObject, preview(v))
			}
			err = sentinelone.Unmarshal(v, m)
		}
	case r.dec.PeekKind() != '{':
		v, err := r.dec.ReadValue()
		if err != nil {
			return r.syntax(err)
		}
		r.done()
		return fmt.Errorf("%w: %s", ErrNotObject, preview(v))
	default:
		err = m.UnmarshalJSONFrom(r.dec)
	}
	if err != nil {
		return r.syntax(err)
	}
	r.done()
	return nil
}

// Next returns the next record as it came, or io.EOF. A bad line gives an
// error wrapping ErrBadRecord and an answer's errors one wrapping
// ErrAnswer: reading goes on. Any other error is a syntax error in the
// input: reading cannot go on past it.
func (r *Reader) Next() (json.RawMessage, error) {
	v, err := r.AppendNext(nil)
	return json.RawMessage(v), err
}

// AppendNext is Next appending the record to dst, for a caller that keeps
// many records in one buffer; on an error dst is returned as it was.
func (r *Reader) AppendNext(dst []byte) ([]byte, error) {
	if err := r.advance(); err != nil {
		return dst, err
	}
	v, err := r.record()
	if err != nil {
		return dst, r.syntax(err)
	}
	if r.GraphQL {
		v = jsontext.Value(unwrapEdge(v))
	}
	r.done()
	return append(dst, v...), nil
}

// record reads the record at hand: an open top-level one, an edge's node,
// or a value.
func (r *Reader) record() (jsontext.Value, error) {
	switch {
	case r.open:
		r.open = false
		return r.rest()
	case r.top() == inEdges:
		return r.edgeNode()
	}
	return r.dec.ReadValue() // valid until the next read: callers copy it
}

// done counts a record read; a top-level one ends what the tape keeps.
func (r *Reader) done() {
	r.index++
	r.tape.keepFrom(r.base + r.dec.InputOffset())
}

func (r *Reader) top() frame {
	if len(r.stack) == 0 {
		return -1
	}
	return r.stack[len(r.stack)-1]
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
		if err := r.pending; err != nil {
			r.pending = nil
			return err
		}
		if len(r.stack) > 0 {
			switch k := r.dec.PeekKind(); {
			case k == ']' || k == '}':
				if _, err := r.dec.ReadToken(); err != nil {
					return r.syntax(err)
				}
				r.stack = r.stack[:len(r.stack)-1]
			case k == 0:
				_, err := r.dec.ReadToken()
				return r.syntax(err)
			case r.top() == inArray || r.top() == inEdges:
				return nil
			default:
				if err := r.member(); err != nil {
					return err
				}
			}
			continue
		}
		r.tape.start(r.dec, r.base)
		switch r.dec.PeekKind() {
		case '[':
			if _, err := r.dec.ReadToken(); err != nil {
				return r.syntax(err)
			}
			r.tape.stop()
			r.stack = append(r.stack, inArray)
		case '{':
			if !r.mayBePage() {
				return nil // a record: read as one value
			}
			page, err := r.openObject()
			if err != nil || !page {
				return err
			}
			r.tape.stop()
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

func (r *Reader) offset() int64 { return r.base + r.dec.InputOffset() }

// syntax describes an error met inside a value, where even io.EOF means
// the input was cut short. A top-level record that is not valid JSON is
// skipped to the next line (ErrBadRecord), when there is one.
func (r *Reader) syntax(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	at := r.offset()
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		at, err = r.base+se.ByteOffset, se.Err
	}
	if len(r.stack) == 0 && r.tape.on {
		if resumeAt, ok := r.tape.skipLine(); ok {
			r.dec, r.base, r.open, r.first = sentinelone.NewStreamDecoder(r.tape), resumeAt, false, nil
			r.index++
			return fmt.Errorf("%w (near byte %d: %v); skipped to the next line", ErrBadRecord, at, err)
		}
	}
	return fmt.Errorf("input: invalid JSON at record %d (the records before it are converted), near byte %d: %w", r.index, at, err)
}
