package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"s1collector/internal/ocsf"
	"s1collector/internal/sentinelone"
)

// obj decodes a nested JSON object leniently: null leaves it empty, and so
// does anything that is not an object, which is marked Odd.
type obj[T any] struct {
	V   T
	Odd bool
}

// UnmarshalJSON accepts an object or null.
func (o *obj[T]) UnmarshalJSON(p []byte) error {
	*o = obj[T]{}
	p = bytes.TrimSpace(p)
	if len(p) == 0 || string(p) == "null" {
		return nil
	}
	if p[0] != '{' || json.Unmarshal(p, &o.V) != nil {
		o.Odd = true
	}
	return nil
}

// reader reads the fields of one record and keeps the problems: values
// present but unusable, reported and kept under unmapped (unreadable.go).
type reader struct {
	raw      json.RawMessage // the record as it came
	problems []string
	kept     map[string]any // unusable values as they came, by path
}

// time reads a timestamp; one that does not parse is reported and kept.
func (r *reader) time(field string, s sentinelone.String) (time.Time, bool) {
	if !s.Set || s.Value == "" {
		return time.Time{}, false
	}
	t, err := parseEventTime(s.Value)
	if errors.Is(err, errPlaceholderTime) {
		r.unusable(field, fmt.Sprintf("%q %v", s.Value, err), s.Value)
		return time.Time{}, false
	}
	if err != nil {
		r.unusable(field, fmt.Sprintf("%q is not a time", s.Value), s.Value)
		return time.Time{}, false
	}
	return t, true
}

// millis is a timestamp in OCSF's milliseconds, 0 when absent.
func (r *reader) millis(field string, s sentinelone.String) int64 {
	if t, ok := r.time(field, s); ok {
		return t.UnixMilli()
	}
	return 0
}

// eventTime is when the thing happened: t, or, when the record's time
// cannot be read (reported already) or is missing (reported here), when
// it was collected, as OCSF requires a time.
func (r *reader) eventTime(field string, t, collected time.Time) time.Time {
	if !t.IsZero() {
		return t
	}
	if _, reported := r.kept[field]; !reported {
		r.problems = append(r.problems, field+": missing; the event's time is when it was collected")
	}
	return collected
}

// bag collects the source values OCSF has no attribute for (unmapped),
// under the console's own names; empty values and nulls are left out.
type bag map[string]any

func (b bag) str(k string, s sentinelone.String) {
	if s.Set && s.Value != "" {
		b[k] = s.Value
	}
}

func (b bag) boolean(k string, v sentinelone.Bool) {
	if v.Set {
		b[k] = v.Value
	}
}

func (b bag) number(k string, v sentinelone.Int) {
	if v.Set {
		b[k] = v.Value
	}
}

func (b bag) strs(k string, v sentinelone.Strings) {
	if len(v.Values) > 0 {
		b[k] = v.Values
	}
}

// json keeps a raw JSON value, without its nulls and empty objects;
// numbers keep every digit (consoles put 19-digit ids in numbers).
func (b bag) json(k string, raw json.RawMessage) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return
	}
	if v = dropNulls(v); v != nil {
		b[k] = v
	}
}

func (b bag) orNil() map[string]any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// dropNulls removes nulls, and objects and lists left empty, recursively.
func dropNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e = dropNulls(e); e == nil {
				delete(x, k)
			} else {
				x[k] = e
			}
		}
		if len(x) == 0 {
			return nil
		}
	case []any:
		out := x[:0]
		for _, e := range x {
			if e = dropNulls(e); e != nil {
				out = append(out, e)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	return v
}

// metadata is what every event of a stream says of itself: metadata.uid
// is the record id and its version's time, stable for the same version.
func metadata(logName, id string, version time.Time, tenant, original string) ocsf.Metadata {
	md := ocsf.Metadata{
		Version: ocsf.Version, Product: ocsf.Product{Name: "SentinelOne", VendorName: "SentinelOne"},
		UID: id, TenantUID: tenant, LogName: logName, LogProvider: "SentinelOne Management API", OriginalTime: original,
	}
	if !version.IsZero() {
		md.UID = fmt.Sprintf("%s-%d", id, version.UnixMilli())
	}
	return md
}

// baseName is the last element of a Windows or POSIX path.
func baseName(path string) string {
	if i := strings.LastIndexAny(path, `\/`); i >= 0 {
		return path[i+1:]
	}
	return path
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

func intPtr(v int) *int { return &v }
