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
	"unicode/utf8"
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
	var buf [32]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	if len(keys) <= len(buf) {
		insertionSort(keys) // the maps of events are small
	} else {
		slices.Sort(keys)
	}
	w.BeginObject()
	for _, k := range keys {
		w.sep()
		w.B = appendString(w.B, k, w.HTML)
		w.B = append(w.B, ':')
		w.more = false
		w.Any(m[k])
	}
	w.EndObject()
}

func insertionSort(keys []string) {
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
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

const hex = "0123456789abcdef"

// plain marks the ASCII bytes a string holds as they are, HTML escaping on.
var plain = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return t
}()

// plain8 reports whether the 8 bytes of s are ASCII that needs no escaping,
// testing them at once.
func plain8(s string, html bool) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	has := func(c uint64) uint64 { y := x ^ (ones * c); return (y - ones) &^ y }
	bad := x | (x - ones*0x20) | has('"') | has('\\')
	if html {
		bad |= has('<') | has('>') | has('&')
	}
	return bad&highs == 0
}

// appendString quotes s as encoding/json does: \b \f \n \r \t and \u00XX
// for other control bytes, \" and \\, U+FFFD for invalid UTF-8, U+2028
// and U+2029 escaped, and <, > and & escaped when html is set.
func appendString(dst []byte, s string, html bool) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && plain8(s[i:i+8], html) {
			i += 8
			continue
		}
		b := s[i]
		if b < utf8.RuneSelf {
			if plain[b] || (!html && (b == '<' || b == '>' || b == '&')) {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
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
