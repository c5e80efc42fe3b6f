package transform

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// AlertReader streams Unified Alert nodes from what people save of the
// GraphQL API: whole answers ({"data":{"alerts":{"edges":[{"node":…}]}}},
// one or many, concatenated), a JSON array or NDJSON of nodes, or of edges
// ({"cursor":…,"node":…}). A top-level array is streamed element by
// element; an answer is held one at a time (a page, ≤ 1,000 alerts).
type AlertReader struct {
	dec     *json.Decoder
	inArray bool
	pending []json.RawMessage
	index   int
}

// NewAlertReader reads alert nodes from r.
func NewAlertReader(r io.Reader) *AlertReader {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<16))
	dec.UseNumber()
	return &AlertReader{dec: dec}
}

// Index is the 0-based position of the node Next returned last.
func (r *AlertReader) Index() int { return r.index - 1 }

// Next returns the next alert node, or io.EOF. Any other error means the
// input cannot be read on.
func (r *AlertReader) Next() (json.RawMessage, error) {
	for {
		if len(r.pending) > 0 {
			n := r.pending[0]
			r.pending = r.pending[1:]
			r.index++
			return n, nil
		}
		if r.inArray {
			if r.dec.More() {
				var v json.RawMessage
				if err := r.dec.Decode(&v); err != nil {
					return nil, r.syntax(err)
				}
				r.pending = append(r.pending, unwrapEdge(v))
				continue
			}
			if _, err := r.dec.Token(); err != nil {
				return nil, r.syntax(err)
			}
			r.inArray = false
			continue
		}
		tok, err := r.dec.Token()
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		if err != nil {
			return nil, r.syntax(err)
		}
		switch tok {
		case json.Delim('['):
			r.inArray = true
		case json.Delim('{'):
			if err := r.object(); err != nil {
				return nil, err
			}
		default:
			r.index++
			return json.RawMessage(fmt.Sprint(tok)), nil
		}
	}
}

// object reads a top-level object whose '{' was consumed: a GraphQL
// answer, whose nodes become pending, or a node or edge.
func (r *AlertReader) object() error {
	var buf bytes.Buffer
	buf.WriteByte('{')
	var data json.RawMessage
	for first := true; r.dec.More(); first = false {
		tok, err := r.dec.Token()
		if err != nil {
			return r.syntax(err)
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("input: expected an object key near byte %d", r.dec.InputOffset())
		}
		var v json.RawMessage
		if err := r.dec.Decode(&v); err != nil {
			return r.syntax(err)
		}
		if key == "data" {
			data = v
		}
		if !first {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(key)
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	if _, err := r.dec.Token(); err != nil {
		return r.syntax(err)
	}
	buf.WriteByte('}')
	if data == nil {
		r.pending = append(r.pending, unwrapEdge(buf.Bytes()))
		return nil
	}
	var page struct {
		Alerts struct {
			Edges []json.RawMessage `json:"edges"`
		} `json:"alerts"`
	}
	if err := json.Unmarshal(data, &page); err != nil {
		return fmt.Errorf("input: a GraphQL answer's data is not {\"alerts\":{\"edges\":[…]}} (near byte %d)", r.dec.InputOffset())
	}
	for _, e := range page.Alerts.Edges {
		r.pending = append(r.pending, unwrapEdge(e))
	}
	return nil
}

// unwrapEdge returns an edge's node, or the value itself.
func unwrapEdge(v json.RawMessage) json.RawMessage {
	var edge struct {
		Node json.RawMessage `json:"node"`
	}
	if json.Unmarshal(v, &edge) == nil && len(edge.Node) > 0 && edge.Node[0] == '{' {
		return edge.Node
	}
	return v
}

func (r *AlertReader) syntax(err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("input: invalid JSON after record %d, near byte %d: %w", r.index, r.dec.InputOffset(), err)
}
