package ocsfcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Check returns every way an event falls short of strict OCSF 1.6.0 as
// s1collector promises it: valid against its class's JSON Schema for the
// profiles in metadata.profiles; type_uid = class_uid*100 + activity_id;
// every enum's caption sibling present and spelled as the schema spells it
// (free text only for 99 Other); timestamps in milliseconds; no nulls;
// values of typed strings (ip_t, mac_t, email_t, hashes…) matching their
// type; metadata.version 1.6.0, a metadata.uid and SentinelOne as product.
func Check(event []byte) error {
	c, err := load()
	if err != nil {
		return err
	}
	var ev map[string]any
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	if err := dec.Decode(&ev); err != nil {
		return fmt.Errorf("not a JSON object: %w", err)
	}
	classUID, _ := intOf(ev["class_uid"])
	d, ok := c.classByUID(int(classUID))
	if !ok {
		return fmt.Errorf("class_uid %v is not an OCSF 1.6.0 class", ev["class_uid"])
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if err := validate(d.Name, profilesOf(ev), event); err != nil {
		bad("JSON Schema of %s: %v", d.Name, err)
	}
	w := walker{c: c, bad: bad}
	w.object("", ev, d)
	conventions(ev, bad)
	if len(problems) == 0 {
		return nil
	}
	return errors.New(strings.Join(problems, "\n"))
}

func profilesOf(ev map[string]any) []string {
	md, _ := ev["metadata"].(map[string]any)
	list, _ := md["profiles"].([]any)
	var out []string
	for _, p := range list {
		if s, ok := p.(string); ok {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

var (
	compiledMu sync.Mutex
	compiledBy = map[string]*jsonschema.Schema{}
)

// validate checks the event against the generated JSON Schema of its class
// and profiles, compiled once per combination.
func validate(class string, profiles []string, event []byte) error {
	key := class + "|" + strings.Join(profiles, ",")
	compiledMu.Lock()
	sch, ok := compiledBy[key]
	if !ok {
		doc, err := JSONSchema(class, profiles)
		if err == nil {
			sch, err = compileSchema(key, doc)
		}
		if err != nil {
			compiledMu.Unlock()
			return err
		}
		compiledBy[key] = sch
	}
	compiledMu.Unlock()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(event))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

func compileSchema(name string, doc []byte) (*jsonschema.Schema, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, err
	}
	comp := jsonschema.NewCompiler()
	url := "mem://" + strings.NewReplacer("|", "/", ",", "-").Replace(name) + ".json"
	if err := comp.AddResource(url, v); err != nil {
		return nil, err
	}
	return comp.Compile(url)
}

// conventions are s1collector's own promises for every OCSF event.
func conventions(ev map[string]any, bad func(string, ...any)) {
	class, _ := intOf(ev["class_uid"])
	activity, _ := intOf(ev["activity_id"])
	if tu, _ := intOf(ev["type_uid"]); tu != class*100+activity {
		bad("type_uid %d is not class_uid*100+activity_id = %d", tu, class*100+activity)
	}
	for _, k := range []string{"activity_name", "category_name", "class_name", "type_name", "severity"} {
		if _, ok := ev[k].(string); !ok {
			bad("%s is missing", k)
		}
	}
	if t, _ := intOf(ev["time"]); t < 1e11 {
		bad("time %d is not in milliseconds", t)
	}
	md, _ := ev["metadata"].(map[string]any)
	if md["version"] != "1.6.0" {
		bad("metadata.version = %v, want 1.6.0", md["version"])
	}
	if uid, _ := md["uid"].(string); uid == "" {
		bad("metadata.uid is missing")
	}
	if p, _ := md["product"].(map[string]any); p["name"] != "SentinelOne" || p["vendor_name"] != "SentinelOne" {
		bad("metadata.product = %v, want name and vendor_name SentinelOne", md["product"])
	}
}

// walker checks every attribute against its definition in the schema.
type walker struct {
	c   *compiled
	bad func(string, ...any)
}

func (w walker) object(path string, obj map[string]any, d *definition) {
	for k, v := range obj {
		p := strings.TrimPrefix(path+"."+k, ".")
		if v == nil {
			w.bad("%s is null", p)
			continue
		}
		a, ok := d.Attributes[k]
		if !ok || d.Name == "object" {
			w.nulls(p, v) // unknown keys are the JSON Schema's to report; unmapped is open
			continue
		}
		if list, ok := v.([]any); ok && a.IsArray {
			for i, e := range list {
				w.value(fmt.Sprintf("%s[%d]", p, i), e, a)
			}
			continue
		}
		w.value(p, v, a)
		w.sibling(p, obj, k, a)
	}
}

// nulls reports nulls anywhere inside v.
func (w walker) nulls(path string, v any) {
	switch x := v.(type) {
	case nil:
		w.bad("%s is null", path)
	case map[string]any:
		for k, e := range x {
			w.nulls(path+"."+k, e)
		}
	case []any:
		for i, e := range x {
			w.nulls(fmt.Sprintf("%s[%d]", path, i), e)
		}
	}
}

func (w walker) value(path string, v any, a *attribute) {
	if v == nil {
		w.bad("%s is null", path)
		return
	}
	if a.Type == "object_t" {
		if m, ok := v.(map[string]any); ok {
			if d, ok := w.c.Objects[a.ObjectType]; ok {
				w.object(path, m, d)
			}
		}
		return
	}
	if a.Type == "timestamp_t" {
		if n, ok := intOf(v); ok && (n < 1e11 || n > 1e14) {
			w.bad("%s = %d is not milliseconds since 1970", path, n)
		}
		return
	}
	s, ok := v.(string)
	if !ok {
		return
	}
	if dt, ok := w.c.Dictionary.Types.Attributes[a.Type]; ok {
		if dt.MaxLen > 0 && len(s) > dt.MaxLen {
			w.bad("%s is longer than %s allows (%d)", path, a.Type, dt.MaxLen)
		}
		if !typeMatches(a.Type, dt.Regex, s) {
			w.bad("%s = %q is not a valid %s", path, s, a.Type)
		}
	}
}

// sibling checks that an enum's caption is present and is the schema's
// caption; 99 Other may carry the source's own words.
func (w walker) sibling(path string, obj map[string]any, k string, a *attribute) {
	if a.Sibling == "" || len(a.Enum) == 0 {
		return
	}
	n, ok := intOf(obj[k])
	if !ok {
		return
	}
	want, known := a.caption(strconv.FormatInt(n, 10))
	got, has := obj[a.Sibling].(string)
	switch {
	case !known:
		w.bad("%s = %d is not a value of the enum", path, n)
	case !has:
		w.bad("%s is missing its caption %s", path, a.Sibling)
	case n == 99:
		if got == "" {
			w.bad("%s is empty", a.Sibling)
		}
	case got != want:
		w.bad("%s = %q is not the caption of %s %d (%q)", strings.TrimSuffix(path, k)+a.Sibling, got, k, n, want)
	}
}

var (
	regexMu sync.Mutex
	regexes = map[string]*regexp.Regexp{}
)

// typeMatches checks a typed string: ip_t with the standard library (the
// schema's pattern is not RE2), the others with the dictionary's regex.
func typeMatches(typ, pattern, s string) bool {
	if typ == "ip_t" {
		_, err := netip.ParseAddr(s)
		return err == nil
	}
	if pattern == "" {
		return true
	}
	regexMu.Lock()
	re, ok := regexes[typ]
	if !ok {
		re, _ = regexp.Compile(pattern)
		regexes[typ] = re
	}
	regexMu.Unlock()
	return re == nil || re.MatchString(s)
}

func intOf(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case float64:
		return int64(n), n == float64(int64(n))
	}
	return 0, false
}
