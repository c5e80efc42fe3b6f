package config

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load reads, expands, checks and completes a config file. Relative paths
// in it (state, token files, Sumo sources, file outputs) are taken from the
// file's folder. The error, if any, is Errors: every problem with its line
// and path.
func Load(path string) (*Config, error) { return loadFile(path, allSecrets) }

func loadFile(path string, secrets secretsRead) (*Config, error) {
	b, err := readConfigFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return parse(b, filepath.Dir(path), os.LookupEnv, secrets)
}

// Parse is Load on bytes, with dir for relative paths and env for ${VAR}.
func Parse(b []byte, dir string, env func(string) (string, bool)) (*Config, error) {
	return parse(b, dir, env, allSecrets)
}

func parse(b []byte, dir string, env func(string) (string, bool), secrets secretsRead) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, syntaxError(err, b)
	}
	if e := checkAliases(&root); e != nil {
		return nil, Errors{*e}
	}
	c := &Config{}
	d := &decoder{env: env, secrets: secrets}
	if len(root.Content) > 0 {
		d.decode(&root, "", reflect.ValueOf(c).Elem())
	}
	c.resolvePaths(dir)
	c.readTokenFiles(d)
	c.readDSNFile(d)
	c.loadSumoSources(d, d.sumoEnv)
	c.applyDefaults()
	var v validator
	c.validate(&v)
	errs := withLines(append(d.errs, followOnFree(v.errs, d.errs)...), &root)
	redact := c.Scrubber().With(append(d.unreadValues(), d.named...)...)
	for i := range errs {
		errs[i].Msg = redact.Line(errs[i].Msg) // a value may be a secret put in the wrong place
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
		return nil, errs
	}
	return c, nil
}

func (c *Config) resolvePaths(dir string) {
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) && *p != "-" {
			*p = filepath.Join(dir, *p)
		}
	}
	if c.State.Path == "" && c.State.Postgres == nil {
		c.State.Path = DefaultState
	}
	abs(&c.State.Path)
	if c.State.Postgres != nil {
		abs(&c.State.Postgres.DSNFile)
	}
	for i := range c.Sources {
		abs(&c.Sources[i].TokenFile)
		if h := c.Sources[i].HTTP; h != nil {
			abs(&h.CAFile)
			abs(&h.CertFile)
			abs(&h.KeyFile)
		}
	}
	if t := c.Server.TLS; t != nil {
		abs(&t.CertFile)
		abs(&t.KeyFile)
	}
	for i := range c.SumoSources {
		abs(&c.SumoSources[i].Path)
	}
	for _, o := range c.Outputs {
		if o.File != nil {
			abs(&o.File.Dir)
		}
		if o.HTTP != nil {
			abs(&o.HTTP.CAFile)
			abs(&o.HTTP.CertFile)
			abs(&o.HTTP.KeyFile)
		}
	}
}

func (c *Config) readTokenFiles(d *decoder) {
	for i := range c.Sources {
		s := &c.Sources[i]
		if s.TokenFile == "" {
			continue
		}
		if s.Token.IsSet() {
			continue // reported by Validate
		}
		if d.skips("sources") {
			s.Token = SecretFrom(unresolved, "token_file "+s.TokenFile)
			continue
		}
		b, err := readFile(s.TokenFile, MaxTokenFileBytes)
		if err != nil {
			d.fail(nil, fmt.Sprintf("sources[%d].token_file", i), "%v", err)
			continue
		}
		s.Token = SecretFrom(strings.TrimSpace(string(b)), "token_file "+s.TokenFile)
	}
}

// withLines attaches the line of each error's path that has none, when the
// path exists in the file.
func withLines(errs Errors, root *yaml.Node) Errors {
	for i := range errs {
		if n := find(root, errs[i].Path); n != nil && errs[i].Line == 0 {
			errs[i].Line = n.Line
		}
	}
	return errs
}

// followOnFree drops validation errors about a value that already failed to
// decode (or to be read from the environment or a file): one mistake, one
// message.
func followOnFree(checks, decoding Errors) Errors {
	var out Errors
	for _, c := range checks {
		dup := false
		for _, d := range decoding {
			covered := strings.TrimSuffix(d.Path, "_file")
			if c.Path == d.Path || c.Path == covered || strings.HasPrefix(c.Path, d.Path+".") || strings.HasPrefix(c.Path, d.Path+"[") {
				dup = true
			}
		}
		if !dup {
			out = append(out, c)
		}
	}
	return out
}

// find returns the node at a path like sources[1].base_url, or the deepest
// ancestor that exists.
func find(n *yaml.Node, path string) *yaml.Node {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, part := range strings.Split(path, ".") {
		key, idx := part, -1
		if k, rest, ok := strings.Cut(part, "["); ok {
			key = k
			fmt.Sscanf(rest, "%d]", &idx)
		}
		next := mappingValue(n, key)
		if next == nil {
			return n
		}
		n = next
		if idx >= 0 {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return n
			}
			n = n.Content[idx]
		}
	}
	return n
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
