// Package jsonenc appends JSON exactly as encoding/json's Marshal writes it
// (and its Encoder with SetEscapeHTML(false)), for the events written once
// per record, where reflection would cost more than the rest of the work.
// Types write themselves with a Writer; tests compare every byte with
// encoding/json.
package jsonenc

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// Appender is a value that writes itself as JSON.
type Appender interface {
	AppendJSON(w *Writer)
}

// Marshal writes v as encoding/json.Marshal does (HTML escaped).
func Marshal(v Appender) []byte {
	w := Writer{HTML: true}
	v.AppendJSON(&w)
	return w.B
}

// Writer appends JSON values to B. Values written in a row are separated
// by commas; objects and arrays nest.
type Writer struct {
	B    []byte
	HTML bool // escape <, > and & in strings, as encoding/json.Marshal does
	more bool // a value precedes at this level: the next needs a comma
}

func (w *Writer) sep() {
	if w.more {
		w.B = append(w.B, ',')
	}
}

// BeginObject starts an object.
func (w *Writer) BeginObject() { w.sep(); w.B = append(w.B, '{'); w.more = false }

// EndObject ends an object.
func (w *Writer) EndObject() { w.B = append(w.B, '}'); w.more = true }

// BeginArray starts an array.
func (w *Writer) BeginArray() { w.sep(); w.B = append(w.B, '['); w.more = false }

// EndArray ends an array.
func (w *Writer) EndArray() { w.B = append(w.B, ']'); w.more = true }

// Key writes an object member's name, which must be plain ASCII that
// needs no escaping (the names of the events' fields); its value follows.
func (w *Writer) Key(k string) {
	w.sep()
	w.B = append(w.B, '"')
	w.B = append(w.B, k...)
	w.B = append(w.B, '"', ':')
	w.more = false
}

// String writes a string.
func (w *Writer) String(s string) { w.sep(); w.B = appendString(w.B, s, w.HTML); w.more = true }

// Int writes an integer.
func (w *Writer) Int(n int64) { w.sep(); w.B = strconv.AppendInt(w.B, n, 10); w.more = true }

// Bool writes a boolean.
func (w *Writer) Bool(b bool) { w.sep(); w.B = strconv.AppendBool(w.B, b); w.more = true }

// Null writes null.
func (w *Writer) Null() { w.sep(); w.B = append(w.B, "null"...); w.more = true }

// StringPtr writes *p, or null.
func (w *Writer) StringPtr(p *string) {
	if p == nil {
		w.Null()
		return
	}
	w.String(*p)
}

// IntPtr writes *p, or null.
func (w *Writer) IntPtr(p *int64) {
	if p == nil {
		w.Null()
		return
	}
	w.Int(*p)
}

// BoolPtr writes *p, or null.
func (w *Writer) BoolPtr(p *bool) {
	if p == nil {
		w.Null()
		return
	}
	w.Bool(*p)
}

// Strings writes a list of strings; nil is null, as encoding/json writes it.
func (w *Writer) Strings(list []string) {
	if list == nil {
		w.Null()
		return
	}
	w.BeginArray()
	for _, s := range list {
		w.String(s)
	}
	w.EndArray()
}

// Map writes a map with its keys sorted, as encoding/json does; nil is
// null.
func (w *Writer) Map(m map[string]any) {
	if m == nil {
		w.Null()
		return
	}
	var buf [32]member // the maps of events are small
	members := buf[:0]
	for k, v := range m {
		members = append(members, member{k, v})
	}
	if len(members) <= len(buf) {
		for i := 1; i < len(members); i++ {
			for j := i; j > 0 && members[j].key < members[j-1].key; j-- {
				members[j], members[j-1] = members[j-1], members[j]
			}
		}
	} else {
		slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.key, b.key) })
	}
	w.BeginObject()
	for _, mb := range members {
		w.sep()
		w.B = appendString(w.B, mb.key, w.HTML)
		w.B = append(w.B, ':')
		w.more = false
		w.Any(mb.value)
	}
	w.EndObject()
}

// member is one entry of a map, for sorting.
type member struct {
	key   string
	value any
}

// Any writes the values events carry in maps; anything else goes through
// encoding/json.
func (w *Writer) Any(v any) {
	switch v := v.(type) {
	case nil:
		w.Null()
	case string:
		w.String(v)
	case bool:
		w.Bool(v)
	case int64:
		w.Int(v)
	case int:
		w.Int(int64(v))
	case []string:
		w.Strings(v)
	case *string:
		w.StringPtr(v)
	case *bool:
		w.BoolPtr(v)
	case *int64:
		w.IntPtr(v)
	case map[string]any:
		w.Map(v)
	case Appender:
		v.AppendJSON(w)
	default:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(w.HTML)
		if enc.Encode(v) != nil {
			buf.Reset()
			buf.WriteString("null") // events hold no value encoding/json refuses
		}
		w.sep()
		w.B = append(w.B, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
		w.more = true
	}
}

// KeyString writes a member holding a string.
func (w *Writer) KeyString(k, s string) { w.Key(k); w.String(s) }

// KeyInt writes a member holding an integer.
func (w *Writer) KeyInt(k string, n int64) { w.Key(k); w.Int(n) }

// OmitString writes a member holding s unless s is empty (omitempty).
func (w *Writer) OmitString(k, s string) {
	if s != "" {
		w.KeyString(k, s)
	}
}

// OmitInt writes a member holding n unless n is 0 (omitempty).
func (w *Writer) OmitInt(k string, n int64) {
	if n != 0 {
		w.KeyInt(k, n)
	}
}

// List writes a list of values that write themselves; nil is null.
func List[T any, PT interface {
	*T
	Appender
}](w *Writer, list []T) {
	if list == nil {
		w.Null()
		return
	}
	w.BeginArray()
	for i := range list {
		PT(&list[i]).AppendJSON(w)
	}
	w.EndArray()
}
