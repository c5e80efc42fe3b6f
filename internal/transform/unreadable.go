package transform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"s1collector/internal/ocsf"
)

// The mappings of threats, alerts and activities read records leniently.
// A value they cannot use — of the wrong type (a list where a string
// belongs), or not what its field holds (a date that does not parse, an
// address out of range, a hash of the wrong length) — is never used and
// never silently lost: it is reported (the record's problems) and kept as
// it came under unmapped.unreadable, by its path in the record.

// unreadableKey is where unusable values are kept in unmapped.
const unreadableKey = "unreadable"

// unusable reports the value at path and keeps it; a path is reported once.
func (r *reader) unusable(path, why string, value any) {
	if _, done := r.kept[path]; done {
		return
	}
	if r.kept == nil {
		r.kept = map[string]any{}
	}
	r.kept[path] = value
	r.problems = append(r.problems, fmt.Sprintf("%s: %s; kept in unmapped.%s", path, why, unreadableKey))
}

// keepInto adds the kept values to an event's unmapped object.
func (r *reader) keepInto(unmapped map[string]any) map[string]any {
	if len(r.kept) == 0 {
		return unmapped
	}
	if unmapped == nil {
		unmapped = map[string]any{}
	}
	unmapped[unreadableKey] = r.kept
	return unmapped
}

// wrongTypes reports every field of rec — a record decoded from r.raw into
// the lenient types — whose value was of the wrong type, and keeps the
// value as it came. The record's JSON is decoded again only when there is
// one.
func (r *reader) wrongTypes(rec any) {
	var found [][]step
	oddPaths(reflect.ValueOf(rec).Elem(), nil, &found)
	if len(found) == 0 {
		return
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(r.raw))
	dec.UseNumber()
	_ = dec.Decode(&doc)
	for _, p := range found {
		path, v := lookup(doc, p)
		why := valuePreview(v) + " is of the wrong type"
		if kept := dropNulls(v); kept != nil {
			r.unusable(path, why, kept)
		} else {
			b, _ := json.Marshal(v) // only nulls and empty values: kept as their text
			r.unusable(path, why, string(b))
		}
	}
}

// step is one step of a path into a record: a member's name, or a list
// index (name "").
type step struct {
	name  string
	index int
}

// oddPaths walks a decoded record and collects the paths of the values
// marked Odd (sentinelone's lenient types and obj).
func oddPaths(v reflect.Value, path []step, out *[][]step) {
	if v.Kind() != reflect.Struct {
		return
	}
	l := layoutOf(v.Type())
	if l.odd >= 0 {
		if v.Field(l.odd).Bool() {
			*out = append(*out, append([]step(nil), path...))
			return
		}
		switch {
		case l.inner >= 0:
			oddPaths(v.Field(l.inner), path, out)
		case l.values >= 0:
			vs := v.Field(l.values)
			for i := range vs.Len() {
				oddPaths(vs.Index(i), append(path, step{index: i}), out)
			}
		}
		return
	}
	for _, f := range l.fields {
		oddPaths(v.Field(f.index), append(path, step{name: f.name, index: -1}), out)
	}
}

// layout is what oddPaths needs of a struct type: a lenient value's Odd
// flag and what it holds (obj's V, a list's Values), or a record's fields
// by JSON name.
type layout struct {
	odd, inner, values int
	fields             []field
}

type field struct {
	index int
	name  string
}

var layouts sync.Map // reflect.Type → layout

func layoutOf(t reflect.Type) layout {
	if l, ok := layouts.Load(t); ok {
		return l.(layout)
	}
	l := layout{odd: -1, inner: -1, values: -1}
	if f, ok := t.FieldByName("Odd"); ok && f.Type.Kind() == reflect.Bool {
		l.odd = f.Index[0]
		if f, ok := t.FieldByName("V"); ok {
			l.inner = f.Index[0]
		}
		if f, ok := t.FieldByName("Values"); ok && f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct {
			l.values = f.Index[0]
		}
	} else {
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" || f.Type.Kind() != reflect.Struct {
				continue
			}
			if name == "" {
				name = f.Name
			}
			l.fields = append(l.fields, field{index: i, name: name})
		}
	}
	layouts.Store(t, l)
	return l
}

// lookup follows a path through a decoded JSON document, names matched as
// encoding/json matches them (exactly, else without regard to case), and
// returns the path as the document spells it and the value there.
func lookup(doc any, path []step) (string, any) {
	var b strings.Builder
	cur := doc
	for _, s := range path {
		if s.name == "" {
			fmt.Fprintf(&b, "[%d]", s.index)
			arr, _ := cur.([]any)
			cur = nil
			if s.index < len(arr) {
				cur = arr[s.index]
			}
			continue
		}
		m, _ := cur.(map[string]any)
		key, v := s.name, any(nil)
		if x, ok := m[key]; ok {
			v = x
		} else {
			for k, x := range m {
				if strings.EqualFold(k, s.name) {
					key, v = k, x
					break
				}
			}
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(key)
		cur = v
	}
	return b.String(), cur
}

// valuePreview is a value's JSON, cut short for a message.
func valuePreview(v any) string {
	b, _ := json.Marshal(v)
	return preview(b)
}

// hashLengths are the hex lengths of the hashes consoles send.
var hashLengths = map[int]int{ocsf.HashMD5: 32, ocsf.HashSHA1: 40, ocsf.HashSHA256: 64}

// hashField is a hash a record gives, with its path and algorithm.
type hashField struct {
	path string
	alg  int
	v    s
}

// hashes lists the hashes given that are what they claim to be: hex of
// the algorithm's length (a 0x prefix dropped), strongest last as OCSF's
// examples do. Any other value is reported and kept.
func (r *reader) hashes(fields ...hashField) []ocsf.Fingerprint {
	var out []ocsf.Fingerprint
	for _, f := range fields {
		v := f.v.Value
		if v == "" {
			continue
		}
		h := strings.TrimPrefix(strings.TrimPrefix(v, "0x"), "0X")
		if len(h) != hashLengths[f.alg] || !isHex(h) {
			r.unusable(f.path, fmt.Sprintf("%q is not a valid %s hash", v, ocsf.HashCaption(f.alg)), v)
			continue
		}
		out = append(out, ocsf.Fingerprint{AlgorithmID: f.alg, Algorithm: ocsf.HashCaption(f.alg), Value: h})
	}
	return out
}

// ip returns the first valid address of a field that may hold several,
// comma separated; the field is reported and kept when any is not an IP
// address.
func (r *reader) ip(path string, v s) string {
	addrs := splitList(v.Value)
	for _, a := range addrs {
		if !validIP(a) {
			r.unusable(path, fmt.Sprintf("%q is not an IP address", a), v.Value)
			break
		}
	}
	return firstValidIP(addrs)
}

// email returns the address when OCSF's email_t accepts it; another value
// is reported and kept.
func (r *reader) email(path string, v s) string {
	if v.Value == "" {
		return ""
	}
	e := validEmail(v.Value)
	if e == "" {
		r.unusable(path, fmt.Sprintf("%q is not an e-mail address", v.Value), v.Value)
	}
	return e
}

// mac returns a MAC address (dashes read as colons) when valid; another
// value is reported and kept.
func (r *reader) mac(path string, v s) string {
	if v.Value == "" {
		return ""
	}
	m := validMAC(strings.ReplaceAll(v.Value, "-", ":"))
	if m == "" {
		r.unusable(path, fmt.Sprintf("%q is not a MAC address", v.Value), v.Value)
	}
	return m
}
