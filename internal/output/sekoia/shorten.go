package sekoia

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// MaxItemString is how long a string of an asset item may be when the
// item alone is over the request budget: longer ones are cut there. No
// field of the contract needs more (a hostname is at most 253 characters,
// a path or a version far less); only an odd console value grows that far.
const MaxItemString = 4096

// shorten cuts the strings of an item over MaxItemString characters, ids
// (uid) excepted: an item too large for any request keeps its device in
// the inventory with its over-long values cut. It reports whether
// anything was cut.
func shorten(item []byte) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(item))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return item, false
	}
	cut := false
	v = cutStrings(v, "", &cut)
	if !cut {
		return item, false
	}
	out, err := json.Marshal(v)
	if err != nil {
		return item, false
	}
	return out, true
}

func cutStrings(v any, key string, cut *bool) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = cutStrings(e, k, cut)
		}
	case []any:
		for i, e := range x {
			x[i] = cutStrings(e, key, cut)
		}
	case string:
		if key != "uid" && utf8.RuneCountInString(x) > MaxItemString {
			*cut = true
			n := 0
			for i := range x {
				if n == MaxItemString {
					return x[:i]
				}
				n++
			}
		}
	}
	return v
}
