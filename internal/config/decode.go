package config

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// FieldError is one problem in a config file, named by its path.
type FieldError struct {
	Line int    // 0 when not known
	Path string // e.g. sources[1].base_url
	Msg  string
}

func (e FieldError) Error() string {
	where := e.Path
	switch {
	case e.Line > 0 && where != "":
		where = fmt.Sprintf("line %d: %s", e.Line, where)
	case e.Line > 0:
		where = fmt.Sprintf("line %d", e.Line)
	case where == "":
		return e.Msg
	}
	return where + ": " + e.Msg
}

// Errors is every problem found in a file.
type Errors []FieldError

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// decoder fills structs from a YAML node tree, strictly: unknown keys and
// wrong types are errors that name their path, and decoding goes on so every
// error of the file is reported at once.
type decoder struct {
	errs Errors
	env  func(string) (string, bool)
	// secrets says which secrets kept outside the file are read (see
	// LoadWithoutSecrets).
	secrets secretsRead
	// unread are the variables named by secrets left unread: their values
	// are still kept out of error messages.
	unread []string
	// named are the variables read whose names say they hold a secret:
	// their values are kept out of error messages wherever they were put.
	named []string
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	d.errs = append(d.errs, FieldError{Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

var durationType = reflect.TypeFor[time.Duration]()

func (d *decoder) decode(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) > 0 {
			d.decode(n.Content[0], path, v)
		}
		return
	}
	if n.Kind == yaml.AliasNode {
		d.decode(n.Alias, path, v)
		return
	}
	if n.Tag == "!!null" {
		return
	}
	if u, ok := v.Addr().Interface().(interface {
		decodeYAML(*decoder, *yaml.Node, string)
	}); ok {
		u.decodeYAML(d, n, path)
		return
	}
	switch {
	case v.Type() == durationType:
		d.decodeDuration(n, path, v)
	case v.Kind() == reflect.Struct:
		d.decodeStruct(n, path, v)
	case v.Kind() == reflect.Slice:
		d.decodeSlice(n, path, v)
	case v.Kind() == reflect.Map:
		d.decodeMap(n, path, v)
	case v.Kind() == reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, path, v.Elem())
	default:
		d.decodeScalar(n, path, v)
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want a mapping of keys, got %s", describe(n))
		return
	}
	fields := map[string]int{}
	var names []string
	for i := range v.NumField() {
		if tag := strings.Split(v.Type().Field(i).Tag.Get("yaml"), ",")[0]; tag != "" && tag != "-" {
			fields[tag] = i
			names = append(names, tag)
		}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		p := join(path, key.Value)
		idx, ok := fields[key.Value]
		switch {
		case !ok:
			d.fail(key, p, "unknown key%s", suggest(key.Value, names))
		case seen[key.Value]:
			d.fail(key, p, "given twice")
		default:
			seen[key.Value] = true
			d.decode(val, p, v.Field(idx))
			d.zeroIsDefault(val, p, v.Type().Field(idx), v.Field(idx))
		}
	}
}

// zeroIsDefault refuses a zero written for a field tagged zero:"default",
// where 0 would silently mean the default rather than what was written.
func (d *decoder) zeroIsDefault(n *yaml.Node, path string, f reflect.StructField, v reflect.Value) {
	if f.Tag.Get("zero") == "default" && n.Tag != "!!null" && v.IsZero() && !d.failedAt(path) {
		d.fail(n, path, "%s would mean the default, not zero: leave the key out for the default, or give a positive value like 5m", n.Value)
	}
}

// failedAt reports whether an error was already given for path.
func (d *decoder) failedAt(path string) bool {
	for _, e := range d.errs {
		if e.Path == path {
			return true
		}
	}
	return false
}

func (d *decoder) decodeSlice(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "want a list, got %s", describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, fmt.Sprintf("%s[%d]", path, i), s.Index(i))
	}
	v.Set(s)
}

func (d *decoder) decodeMap(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want a mapping, got %s", describe(n))
		return
	}
	m := reflect.MakeMap(v.Type())
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(val, join(path, key.Value), elem)
		m.SetMapIndex(reflect.ValueOf(key.Value), elem)
	}
	v.Set(m)
}

func (d *decoder) decodeDuration(n *yaml.Node, path string, v reflect.Value) {
	s, ok := d.scalar(n, path)
	if !ok {
		return
	}
	dur, err := parseDuration(s)
	if err != nil {
		d.fail(n, path, "%q is not a duration like 30s, 5m or 24h", d.shown(n, s))
		return
	}
	v.SetInt(int64(dur))
}

func (d *decoder) decodeScalar(n *yaml.Node, path string, v reflect.Value) {
	s, ok := d.scalar(n, path)
	if !ok {
		return
	}
	var err error
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		var b bool
		if b, err = strconv.ParseBool(s); err == nil {
			v.SetBool(b)
		}
	case reflect.Int, reflect.Int64:
		var i int64
		if i, err = parseSize(s); err == nil {
			v.SetInt(i)
		}
	case reflect.Float64:
		var f float64
		if f, err = strconv.ParseFloat(s, 64); err == nil {
			v.SetFloat(f)
		}
	default:
		err = fmt.Errorf("unsupported type %s", v.Type())
	}
	if err != nil {
		d.fail(n, path, "%q is not a %s", d.shown(n, s), kindName(v.Kind()))
	}
}

// scalar returns a scalar's text with ${ENV} references expanded.
func (d *decoder) scalar(n *yaml.Node, path string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "want a single value, got %s", describe(n))
		return "", false
	}
	return d.expand(n, path, n.Value)
}

// shown is what a message may quote of a value: the text written in the
// file, never what its ${VAR} expanded to, which may be a secret.
func (d *decoder) shown(n *yaml.Node, expanded string) string {
	if n != nil && n.Value != expanded {
		return n.Value
	}
	return expanded
}

var envRef = regexp.MustCompile(`\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// shellRef is the shell's ${NAME:-default} and its kin, which expand does
// not do.
var shellRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-=?+])[^}]*\}`)

// expand replaces ${NAME} with the environment variable; $$ is a literal $.
// An unset variable is an error, never an empty string; so is the shell's
// ${NAME:-default}, which would otherwise be taken as literal text.
func (d *decoder) expand(n *yaml.Node, path, s string) (string, bool) {
	if m := shellRef.FindStringSubmatch(strings.ReplaceAll(s, "$$", "")); m != nil {
		d.fail(n, path, "${%s%s…} is the shell's syntax, which the config does not support: write ${%s} and set the variable "+
			"(a default here would keep a secret in the file; $$ is a literal $)", m[1], m[2], m[1])
		return "", false
	}
	ok := true
	out := envRef.ReplaceAllStringFunc(s, func(m string) string {
		if m == "$$" {
			return "$"
		}
		name := m[2 : len(m)-1]
		v, found := d.env(name)
		if found && secretName(name) {
			d.named = append(d.named, v)
		}
		if !found {
			d.fail(n, path, "environment variable %s is not set", name)
			ok = false
		}
		return v
	})
	return out, ok
}

func parseDuration(s string) (time.Duration, error) {
	if strings.HasSuffix(s, "d") {
		days, err := strconv.ParseFloat(strings.TrimSuffix(s, "d"), 64)
		if err != nil {
			return 0, err
		}
		return time.Duration(days * float64(24*time.Hour)), nil
	}
	return time.ParseDuration(s)
}

// parseSize reads an integer, with an optional KiB/MiB/GiB suffix.
func parseSize(s string) (int64, error) {
	mult := int64(1)
	for suffix, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if strings.HasSuffix(s, suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, suffix)), m
		}
	}
	i, err := strconv.ParseInt(s, 10, 64)
	return i * mult, err
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.Bool:
		return "boolean (true or false)"
	case reflect.Int, reflect.Int64:
		return "whole number"
	case reflect.Float64:
		return "number"
	}
	return k.String()
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// suggest names the closest known key, for typos.
func suggest(key string, names []string) string {
	sort.Strings(names)
	best, bestD := "", 3
	for _, n := range names {
		if d := distance(key, n); d < bestD {
			best, bestD = n, d
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return fmt.Sprintf(" (known keys: %s)", strings.Join(names, ", "))
}

// distance is the Levenshtein distance.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
