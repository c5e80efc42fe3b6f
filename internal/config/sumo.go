package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// A Sumo Logic "SentinelOne Mgmt API" source definition, as the Sumo
// Collector Management API and Terraform take it (seed 003):
//
//	{"api.version":"v1","source":{"config":{"name","description","category",
//	 "fields","base_url","api_secret","supported_apis"},
//	 "schemaRef":{"type":"SentinelOne Mgmt API"},"sourceType":"Universal"}}
var sumoKeys = map[string][]string{
	"":              {"api.version", "source"},
	"source":        {"config", "schemaRef", "sourceType", "state"},
	"source.config": {"name", "description", "category", "fields", "base_url", "api_secret", "supported_apis"},
}

type sumoFile struct {
	APIVersion string `json:"api.version"`
	Source     struct {
		Config struct {
			Name          string         `json:"name"`
			Description   string         `json:"description"`
			Category      string         `json:"category"`
			Fields        map[string]any `json:"fields"`
			BaseURL       string         `json:"base_url"`
			APISecret     string         `json:"api_secret"`
			SupportedAPIs []string       `json:"supported_apis"`
		} `json:"config"`
		SchemaRef struct {
			Type string `json:"type"`
		} `json:"schemaRef"`
		SourceType string `json:"sourceType"`
	} `json:"source"`
}

func (c *Config) loadSumoSources(d *decoder, env func(string) (string, bool)) {
	for i, ss := range c.SumoSources {
		files, err := sumoFiles(ss.Path)
		if err != nil {
			d.fail(nil, fmt.Sprintf("sumo_sources[%d].path", i), "%v", err)
			continue
		}
		for _, f := range files {
			where := fmt.Sprintf("sumo_sources[%d] (%s)", i, filepath.Base(f))
			src, errs := ParseSumoSource(f, env)
			for _, e := range errs {
				d.fail(nil, where+": "+e.Path, "%s", e.Msg)
			}
			if len(errs) == 0 {
				src.Outputs, src.Origin = ss.Outputs, where
				c.Sources = append(c.Sources, src)
			}
		}
	}
}

// sumoFiles is the file itself, or the *.json files of a folder.
func sumoFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	files, err := filepath.Glob(filepath.Join(path, "*.json"))
	if err == nil && len(files) == 0 {
		err = fmt.Errorf("%s has no .json source definitions", path)
	}
	sort.Strings(files)
	return files, err
}

// ParseSumoSource reads one Sumo Logic source definition as a Source. The
// api_secret may be ${ENV_VAR}. Fields become the source's fields, except
// _siemForward, which turns the Cloud SIEM metadata on.
func ParseSumoSource(path string, env func(string) (string, bool)) (Source, Errors) {
	b, err := readFile(path, MaxSumoFileBytes)
	if err != nil {
		return Source{}, Errors{{Path: "file", Msg: err.Error()}}
	}
	return parseSumo(b, env)
}

// parseSumo reads a source definition from its bytes.
func parseSumo(b []byte, env func(string) (string, bool)) (Source, Errors) {
	var generic map[string]any
	if err := json.Unmarshal(b, &generic); err != nil {
		return Source{}, Errors{{Path: "file", Msg: "not a JSON object: " + err.Error()}}
	}
	errs := checkSumoKeys("", generic)
	var f sumoFile
	if err := json.Unmarshal(b, &f); err != nil {
		return Source{}, append(errs, FieldError{Path: "file", Msg: "wrong type: " + err.Error()})
	}
	cfg := f.Source.Config
	if f.Source.SchemaRef.Type != "SentinelOne Mgmt API" {
		errs = append(errs, FieldError{Path: "source.schemaRef.type", Msg: fmt.Sprintf("%q is not \"SentinelOne Mgmt API\"", f.Source.SchemaRef.Type)})
	}
	if f.Source.SourceType != "Universal" {
		errs = append(errs, FieldError{Path: "source.sourceType", Msg: fmt.Sprintf("%q is not \"Universal\"", f.Source.SourceType)})
	}
	d := &decoder{env: env}
	secret, _ := d.expand(nil, "source.config.api_secret", cfg.APISecret)
	errs = append(errs, d.errs...)
	src := Source{Name: cfg.Name, Description: cfg.Description, Category: cfg.Category, BaseURL: cfg.BaseURL,
		Token: SecretFrom(secret, envOrigin(cfg.APISecret)), SupportedAPIs: cfg.SupportedAPIs, Fields: map[string]string{}}
	for k, v := range cfg.Fields {
		if k == "_siemForward" {
			b, ok := v.(bool)
			if !ok {
				errs = append(errs, FieldError{Path: "source.config.fields._siemForward", Msg: "is not true or false"})
			}
			src.SiemForward = b
			continue
		}
		src.Fields[k] = fmt.Sprint(v)
	}
	for _, req := range []struct{ v, name string }{{cfg.Name, "name"}, {cfg.BaseURL, "base_url"}, {cfg.APISecret, "api_secret"}} {
		if req.v == "" {
			errs = append(errs, FieldError{Path: "source.config." + req.name, Msg: "is required"})
		}
	}
	if len(cfg.SupportedAPIs) == 0 {
		errs = append(errs, FieldError{Path: "source.config.supported_apis", Msg: "is required: one or more of activities, agents, threats"})
	}
	return src, errs
}

func checkSumoKeys(path string, m map[string]any) Errors {
	var errs Errors
	allowed, ok := sumoKeys[path]
	if !ok {
		return nil
	}
	for k, v := range m {
		p := strings.TrimPrefix(path+"."+k, ".")
		if !slices.Contains(allowed, k) {
			errs = append(errs, FieldError{Path: p, Msg: "unknown key" + suggest(k, append([]string(nil), allowed...))})
			continue
		}
		if sub, ok := v.(map[string]any); ok {
			errs = append(errs, checkSumoKeys(p, sub)...)
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Path < errs[j].Path })
	return errs
}
