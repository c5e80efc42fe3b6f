// Package ocsfcheck checks events against OCSF 1.6.0 the way a strict
// consumer does: the JSON Schema of the event's class, generated from the
// official compiled schema for the profiles the event declares (as
// ocsf-server's /schema/classes export does), plus what JSON Schema cannot
// say: type_uid arithmetic, captions spelled as the schema spells them,
// milliseconds, no nulls and the regular expressions of the data types.
// Tests of every OCSF mapping use it, so one set of rules judges them all.
package ocsfcheck

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"
)

// compiledGz is ocsf-schema 1.6.0 compiled by ocsf-schema-compiler
// (Apache-2.0, see LICENSE-OCSF).
//
//go:embed compiled-schema-v1.6.0.json.gz
var compiledGz []byte

// compiled is the part of the compiled schema the checks read.
type compiled struct {
	Version    string                    `json:"version"`
	Classes    map[string]*definition    `json:"classes"`
	Objects    map[string]*definition    `json:"objects"`
	Dictionary struct{ Types dataTypes } `json:"dictionary"`
}

type dataTypes struct {
	Attributes map[string]dataType `json:"attributes"`
}

// dataType is one of the dictionary's types (ip_t, mac_t, timestamp_t…).
type dataType struct {
	Type   string `json:"type"` // the base type, "" for the primitives
	Regex  string `json:"regex"`
	MaxLen int    `json:"max_len"`
}

type definition struct {
	Name        string                `json:"name"`
	Caption     string                `json:"caption"`
	UID         *int                  `json:"uid"`
	CategoryUID *int                  `json:"category_uid"`
	Attributes  map[string]*attribute `json:"attributes"`
	Constraints map[string][]string   `json:"constraints"`
}

type attribute struct {
	Caption     string                     `json:"caption"`
	Type        string                     `json:"type"`
	ObjectType  string                     `json:"object_type"`
	IsArray     bool                       `json:"is_array"`
	Requirement string                     `json:"requirement"`
	Sibling     string                     `json:"sibling"`
	Profiles    []string                   `json:"profiles"`
	Extension   string                     `json:"extension"`
	Enum        map[string]json.RawMessage `json:"enum"`
}

// caption returns the schema's caption of an enum value.
func (a *attribute) caption(v string) (string, bool) {
	raw, ok := a.Enum[v]
	if !ok {
		return "", false
	}
	var e struct {
		Caption string `json:"caption"`
	}
	_ = json.Unmarshal(raw, &e)
	return e.Caption, true
}

// gated reports whether the attribute belongs to a platform extension
// (the events checked declare none) or to a profile none of which is
// applied.
func (a *attribute) gated(profiles []string) bool {
	if a.Extension != "" {
		return true
	}
	if len(a.Profiles) == 0 {
		return false
	}
	for _, p := range a.Profiles {
		if slices.Contains(profiles, p) {
			return false
		}
	}
	return true
}

var (
	loadOnce sync.Once
	schema   *compiled
	loadErr  error
)

func load() (*compiled, error) {
	loadOnce.Do(func() {
		zr, err := gzip.NewReader(bytes.NewReader(compiledGz))
		if err != nil {
			loadErr = err
			return
		}
		var c compiled
		if err := json.NewDecoder(zr).Decode(&c); err != nil {
			loadErr = fmt.Errorf("compiled OCSF schema: %w", err)
			return
		}
		schema = &c
	})
	return schema, loadErr
}

// classByUID finds a class by class_uid.
func (c *compiled) classByUID(uid int) (*definition, bool) {
	for _, d := range c.Classes {
		if d.UID != nil && *d.UID == uid {
			return d, true
		}
	}
	return nil, false
}

// baseType resolves a dictionary type to its primitive (ip_t → string_t).
func (c *compiled) baseType(t string) string {
	for range 4 {
		dt, ok := c.Dictionary.Types.Attributes[t]
		if !ok || dt.Type == "" {
			return t
		}
		t = dt.Type
	}
	return t
}

// JSONSchema generates the draft-07 JSON Schema of a class (by name, e.g.
// "detection_finding") with the given profiles applied, following the rules
// of ocsf-server's JSON Schema export: additionalProperties false on every
// class and object (but "object"), required from the requirement, anyOf
// for at_least_one, oneOf for just_one, enums and the class's consts.
func JSONSchema(class string, profiles []string) ([]byte, error) {
	c, err := load()
	if err != nil {
		return nil, err
	}
	d, ok := c.Classes[class]
	if !ok {
		return nil, fmt.Errorf("no class %q in OCSF %s", class, c.Version)
	}
	g := generator{c: c, profiles: profiles, defs: map[string]any{}}
	root := g.object(d, true)
	root["$schema"] = "http://json-schema.org/draft-07/schema#"
	root["$id"] = "https://schema.ocsf.io/schema/classes/" + d.Name
	if len(g.defs) > 0 {
		root["$defs"] = g.defs
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	err = enc.Encode(root)
	return buf.Bytes(), err
}

type generator struct {
	c        *compiled
	profiles []string
	defs     map[string]any
}

func (g *generator) object(d *definition, class bool) map[string]any {
	props := map[string]any{}
	var required []string
	for name, a := range d.Attributes {
		if a.gated(g.profiles) {
			continue
		}
		props[name] = g.property(name, a, class, d)
		if a.Requirement == "required" {
			required = append(required, name)
		}
	}
	out := map[string]any{"title": d.Caption, "type": "object", "additionalProperties": d.Name == "object", "properties": props}
	if len(required) > 0 {
		sort.Strings(required)
		out["required"] = required
	}
	if names := present(d.Constraints["at_least_one"], props); len(names) > 0 {
		alts := make([]any, len(names))
		for i, n := range names {
			alts[i] = map[string]any{"required": []string{n}}
		}
		out["anyOf"] = alts
	}
	if names := present(d.Constraints["just_one"], props); len(names) > 0 {
		alts := make([]any, len(names))
		for i, n := range names {
			others := slices.DeleteFunc(slices.Clone(names), func(o string) bool { return o == n })
			alts[i] = map[string]any{"required": []string{n}, "not": map[string]any{"required": others}}
		}
		out["oneOf"] = alts
	}
	return out
}

// present keeps the constraint's attributes that the object has.
func present(names []string, props map[string]any) []string {
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool { _, ok := props[n]; return !ok })
}

func (g *generator) property(name string, a *attribute, class bool, d *definition) map[string]any {
	item := map[string]any{}
	if a.Type == "object_t" {
		g.define(a.ObjectType)
		item["$ref"] = "#/$defs/" + a.ObjectType
	} else {
		g.scalar(item, name, a, class, d)
	}
	if !a.IsArray {
		item["title"] = a.Caption
		return item
	}
	return map[string]any{"title": a.Caption, "type": "array", "items": item}
}

func (g *generator) scalar(item map[string]any, name string, a *attribute, class bool, d *definition) {
	switch g.c.baseType(a.Type) {
	case "integer_t", "long_t":
		item["type"] = "integer"
	case "float_t":
		item["type"] = "number"
	case "boolean_t":
		item["type"] = "boolean"
	case "string_t":
		item["type"] = "string"
	}
	switch {
	case class && name == "class_uid" && d.UID != nil:
		item["const"] = *d.UID
	case class && name == "category_uid" && d.CategoryUID != nil:
		item["const"] = *d.CategoryUID
	case name == "type_uid" || len(a.Enum) == 0:
	case item["type"] == "integer":
		var vals []int
		for k := range a.Enum {
			if n, err := strconv.Atoi(k); err == nil {
				vals = append(vals, n)
			}
		}
		sort.Ints(vals)
		item["enum"] = vals
	default:
		vals := make([]string, 0, len(a.Enum))
		for k := range a.Enum {
			vals = append(vals, k)
		}
		sort.Strings(vals)
		item["enum"] = vals
	}
}

func (g *generator) define(name string) {
	if _, ok := g.defs[name]; ok {
		return
	}
	d, ok := g.c.Objects[name]
	if !ok {
		g.defs[name] = map[string]any{"type": "object"}
		return
	}
	g.defs[name] = nil // placeholder: objects refer to themselves (process.parent_process)
	g.defs[name] = g.object(d, false)
}
