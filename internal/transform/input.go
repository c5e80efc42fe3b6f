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
	t := &tape{src: bufio.NewReaderSize(r, 256<<10)}
	return &Reader{dec: sentinelone.NewStreamDecoder(t), tape: t}
}

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
	if err := r.advance(); err != nil {
		return nil, err
	}
	v, err := r.record()
	if err != nil {
		return nil, r.syntax(err)
	}
	if r.GraphQL {
		v = jsontext.Value(unwrapEdge(v))
	}
	r.done()
	return json.RawMessage(v), nil
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
	v, err := r.dec.ReadValue()
	return bytes.Clone(v), err
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

// edgeNode reads an edge of an answer and returns its node (null when it
// has none).
func (r *Reader) edgeNode() (jsontext.Value, error) {
	if r.dec.PeekKind() != '{' {
		v, err := r.dec.ReadValue()
		return bytes.Clone(v), err
	}
	if _, err := r.dec.ReadToken(); err != nil {
		return nil, err
	}
	node := jsontext.Value("null")
	for r.dec.PeekKind() != '}' {
		name, err := r.dec.ReadValue()
		if err != nil {
			return nil, err
		}
		if string(name) != `"node"` {
			if err := r.dec.SkipValue(); err != nil {
				return nil, err
			}
			continue
		}
		v, err := r.dec.ReadValue()
		if err != nil {
			return nil, err
		}
		node = bytes.Clone(v)
	}
	_, err := r.dec.ReadToken()
	return node, err
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

// envelopeNames are the first member names that make a top-level object a
// page or an answer rather than a record.
var envelopeNames = []string{`"data"`, `"pagination"`, `"errors"`}

// mayBePage looks ahead, without reading, at a top-level object's first
// name: it is a page when that is data, pagination or errors. It answers
// true also when the name is not in the decoder's buffer yet; openObject
// decides.
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
	for _, name := range envelopeNames {
		if bytes.HasPrefix(rest, []byte(name)) || bytes.HasPrefix([]byte(name), rest) {
			return true
		}
	}
	end := bytes.IndexByte(rest[min(1, len(rest)):], '"')
	return end < 0 // the first name is cut by the buffer's end
}

// openObject reads a top-level object's '{' and first name: a page when it
// is one of envelopeNames, else a record (open), rebuilt by rest.
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
	for _, n := range envelopeNames {
		if string(name) == n {
			r.stack = append(r.stack, inEnvelope)
			return true, r.value(inEnvelope, string(name))
		}
	}
	r.first, r.open = append(r.first[:0], name...), true
	return false, nil
}

// member handles one more member of a page, an answer or its alerts.
func (r *Reader) member() error {
	name, err := r.dec.ReadValue()
	if err != nil {
		return r.syntax(err)
	}
	return r.value(r.top(), string(name))
}

// value reads the value of member name of the object at hand: a page's
// data is streamed, an answer's data descended to alerts.edges, errors
// reported; anything else is skipped.
func (r *Reader) value(in frame, name string) error {
	k := r.dec.PeekKind()
	switch {
	case in == inEnvelope && name == `"errors"`:
		v, err := r.dec.ReadValue()
		if err != nil {
			return r.syntax(err)
		}
		r.pending = answerErrors(v)
		return nil
	case in == inEnvelope && name == `"data"` && k == '[':
		return r.open1(inArray)
	case in == inEnvelope && name == `"data"` && k == '{' && r.GraphQL:
		return r.open1(inAnswer)
	case in == inEnvelope && name == `"data"` && k == '{':
		return fmt.Errorf("input: a page's data is an object, not a list (near byte %d): if it is a GraphQL answer of the Unified Alerts API, read it with --stream alerts", r.offset())
	case in == inEnvelope && name == `"data"` && k != 'n' && k != 0:
		return fmt.Errorf("input: a page's data is not a list (near byte %d)", r.offset())
	case in == inAnswer && name == `"alerts"` && k == '{':
		return r.open1(inAlerts)
	case in == inAnswer && name == `"alerts"` && k != 0:
		r.pending = fmt.Errorf("%w: data.alerts is %s, not an object with edges", ErrAnswer, kindName(k))
	case in == inAlerts && name == `"edges"` && k == '[':
		return r.open1(inEdges)
	case in == inAlerts && name == `"edges"` && k != 'n' && k != 0:
		return fmt.Errorf("input: an answer's data.alerts.edges is not a list (near byte %d)", r.offset())
	}
	return r.syntax(r.dec.SkipValue())
}

// open1 reads the '[' or '{' at hand and enters it.
func (r *Reader) open1(f frame) error {
	if _, err := r.dec.ReadToken(); err != nil {
		return r.syntax(err)
	}
	r.stack = append(r.stack, f)
	return nil
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

// answerErrors is the error a saved answer's errors member reports: each
// GraphQL error's message (and path), or a REST error's title and detail;
// nil when it lists none.
func answerErrors(v jsontext.Value) error {
	var errs []struct {
		Message, Title, Detail string
		Code                   json.RawMessage
		Extensions             struct{ Code json.RawMessage }
		Path                   []any
	}
	if json.Unmarshal(v, &errs) != nil {
		return fmt.Errorf("%w: %s", ErrAnswer, preview(v))
	}
	var msgs []string
	for _, e := range errs {
		m := strings.TrimSpace(strings.Join([]string{e.Message, e.Title, e.Detail}, " "))
		if c := strings.Trim(string(e.Code)+string(e.Extensions.Code), `"`); c != "" && c != "null" {
			m += " (code " + c + ")"
		}
		if len(e.Path) > 0 {
			parts := make([]string, len(e.Path))
			for i, p := range e.Path {
				parts[i] = fmt.Sprint(p)
			}
			m += " at " + strings.Join(parts, ".")
		}
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrAnswer, strings.Join(msgs, "; "))
}

// unwrapEdge returns an edge's node ({"cursor":…,"node":{…}}), or the
// value itself.
func unwrapEdge(v []byte) []byte {
	if !isObject(v) || !bytes.Contains(v, []byte(`"node"`)) {
		return v
	}
	var edge map[string]json.RawMessage
	if json.Unmarshal(v, &edge) != nil {
		return v
	}
	node, ok := edge["node"]
	for k := range edge {
		if k != "node" && k != "cursor" {
			return v
		}
	}
	if !ok {
		return v
	}
	return node
}

func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	}
	return "not an object"
}

func preview(raw []byte) string {
	s := strings.Join(strings.Fields(string(raw)), " ")
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}
