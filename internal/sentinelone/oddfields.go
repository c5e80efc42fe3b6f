package sentinelone

import (
	"reflect"
	"strings"
	"sync"
)

// OddFields lists the JSON names of the fields of v (a pointer to a decoded
// model) whose values were present but unreadable. It looks into lists of
// objects ("networkInterfaces[].inet") and nested objects
// ("threatInfo.updatedAt"). Models call it only when their decoder saw
// something odd, so the common record costs no reflection.
func OddFields(v any) []string {
	return oddFields(reflect.Indirect(reflect.ValueOf(v)), "", nil)
}

func oddFields(rv reflect.Value, prefix string, out []string) []string {
	for _, f := range lenientFields(rv.Type()) {
		fv := rv.Field(f.index)
		if f.odd >= 0 && fv.Field(f.odd).Bool() {
			out = append(out, prefix+f.name)
		}
		switch {
		case f.values >= 0:
			vals := fv.Field(f.values)
			for j := range vals.Len() {
				out = oddFields(vals.Index(j), prefix+f.name+"[].", out)
			}
		case f.nested:
			out = oddFields(fv, prefix+f.name+".", out)
		}
	}
	return out
}

// lenientField locates a lenient field, its Odd field and, for lists of
// objects, its Values field by index, so checking a record needs no lookups
// by name. A nested object is looked into.
type lenientField struct {
	name               string
	index, odd, values int
	nested             bool
}

var lenientCache sync.Map // reflect.Type → []lenientField

func lenientFields(t reflect.Type) []lenientField {
	if v, ok := lenientCache.Load(t); ok {
		return v.([]lenientField)
	}
	var out []lenientField
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if sf.Type.Kind() != reflect.Struct || !sf.IsExported() || name == "" || name == "-" {
			continue
		}
		f := lenientField{name: name, index: i, odd: -1, values: -1}
		if odd, ok := sf.Type.FieldByName("Odd"); ok && odd.Type.Kind() == reflect.Bool {
			f.odd = odd.Index[0]
		}
		_, scalar := sf.Type.FieldByName("Value")
		vals, list := sf.Type.FieldByName("Values")
		switch {
		case list && vals.Type.Kind() == reflect.Slice && vals.Type.Elem().Kind() == reflect.Struct:
			f.values = vals.Index[0]
		case !scalar && !list:
			f.nested = true
		}
		if f.odd < 0 && !f.nested {
			continue
		}
		out = append(out, f)
	}
	lenientCache.Store(t, out)
	return out
}
