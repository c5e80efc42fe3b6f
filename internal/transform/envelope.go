package transform

// How the Reader reads the envelopes around records: API pages, GraphQL
// answers of the Unified Alerts API (descended to data.alerts.edges, their
// errors reported), and edges given as records.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

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
	name = append(r.first[:0], name...) // valid past the next read
	if string(name) == `"data"` && !r.GraphQL && r.dec.PeekKind() != '[' {
		return r.dataNotAList(name)
	}
	if isEnvelopeName(name) {
		r.stack = append(r.stack, inEnvelope)
		return true, r.value(inEnvelope, string(name))
	}
	r.first, r.open = name, true
	return false, nil
}

func isEnvelopeName(name []byte) bool {
	for _, n := range envelopeNames {
		if string(name) == n {
			return true
		}
	}
	return false
}

// dataNotAList decides a top-level object whose first member, data, is
// not a list: a record that happens to start with data (an activity's
// details, keys in any order) unless what follows says page. An object
// is a record, but a GraphQL answer's data.alerts gets the hint to read
// it with --stream alerts. A null or scalar is read, and the next name
// decides: none or pagination or errors make it a page (null an empty
// one, a scalar an error), any other name a record.
func (r *Reader) dataNotAList(name []byte) (page bool, err error) {
	r.first, r.open = name, true // name is r.first's own copy (openObject)
	if r.dec.PeekKind() == '{' {
		if r.alertsAhead() {
			r.open = false
			return false, fmt.Errorf("input: a page's data is an object, not a list (near byte %d): if it is a GraphQL answer of the Unified Alerts API, read it with --stream alerts", r.offset())
		}
		return false, nil
	}
	v, err := r.dec.ReadValue()
	if err != nil {
		return false, r.syntax(err)
	}
	r.first = append(append(r.first, ':'), v...)
	isNull := string(v) == "null" // v is invalid after the next read
	if r.dec.PeekKind() != '}' {
		next, err := r.dec.ReadValue()
		if err != nil {
			return false, r.syntax(err)
		}
		if !isEnvelopeName(next) {
			r.first = append(append(r.first, ','), next...)
			return false, nil
		}
		name = next
	}
	r.first, r.open = nil, false
	r.stack = append(r.stack, inEnvelope)
	if !isNull {
		return true, fmt.Errorf("input: a page's data is not a list (near byte %d)", r.offset())
	}
	if string(name) == `"data"` {
		return true, nil // {"data":null}: an empty page
	}
	return true, r.value(inEnvelope, string(name))
}

// alertsAhead looks, without reading, whether the object at hand starts
// with an alerts member, as a GraphQL answer's data does.
func (r *Reader) alertsAhead() bool {
	b := bytes.TrimLeft(r.dec.UnreadBuffer(), ": \t\r\n")
	if len(b) == 0 || b[0] != '{' {
		return false
	}
	return bytes.HasPrefix(bytes.TrimLeft(b[1:], " \t\r\n"), []byte(`"alerts"`))
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
